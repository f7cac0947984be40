import { blocks, PolicyRule } from '../rule';

/** GP7: a load balancer's plain-HTTP listener redirects to HTTPS. */
export const HTTP_LISTENER_REDIRECTS: PolicyRule = {
  id: 'GP7',
  level: 'warning',
  title: 'HTTP listeners redirect to HTTPS',
  explanation: 'A listener that serves plain HTTP sends cookies and tokens in clear text.',
  fix: 'make the default action a redirect to HTTPS (status HTTP_301)',
  check(r) {
    if (r.kind !== 'resource' || r.type !== 'aws_lb_listener' || r.config.protocol !== 'HTTP') return [];
    const action = blocks(r.config.default_action)[0];
    return action?.type === 'redirect' && blocks(action.redirect)[0]?.protocol === 'HTTPS' ? [] : [`port ${r.config.port} answers HTTP with ${action?.type ?? 'no action'}`];
  },
};

/** Checklist items of observability (O). Pure. */
import { ChecklistItem, enforced, notApplicable, off } from '../readiness/checklist';

export interface ObservedHostFacts {
  readonly monitoringHost: boolean;
  readonly goService: boolean;
  readonly frontDoor: boolean;
  readonly logShipping: boolean;
  /** Logs go through the monitoring host's log gateway (a token and a tenant per host). */
  readonly authenticatedLogs?: boolean;
  readonly otel: boolean;
  readonly isMonitoringHost?: boolean;
  /** An Auto Scaling group member. */
  readonly group?: boolean;
  /** How the group judges its instances (groups only). */
  readonly groupHealthCheck?: 'ELB' | 'EC2';
}

type Item = ChecklistItem<ObservedHostFacts>;
const item = (id: string, title: string, why: string, assess: Item['assess']): Item => ({ id, title, why, owner: 'ObservabilityStack', assess });

export const OBSERVABILITY_ITEMS: readonly Item[] = [
  item('O1', 'Host metrics', 'CPU, memory, disk and unit states of every host, reachable by the monitoring host only.',
    (f) => enforced(`node_exporter (systemd and textfile collectors) on the private address${f.monitoringHost ? ', scraped from the monitoring host\'s group only' : '; no scraper admitted (no monitoring host)'}`)),
  item('O2', 'nginx metrics', 'Connections and requests of the front door.',
    (f) => (f.frontDoor ? enforced('nginx-prometheus-exporter reading stub_status on 127.0.0.1') : notApplicable('no nginx on this host'))),
  item('O3', 'Service metrics', "The Go service's own metrics, compared with its limits.",
    (f) => (f.goService ? enforced('the Go service\'s metrics path scraped; LimitNOFILE and MemoryMax exported for the alerts') : notApplicable('no Go service on this host'))),
  item('O4', 'Alerts that are tested', 'Every rule is proven to fire on bad series and stay silent on healthy ones.',
    (f) => (f.monitoringHost ? enforced('alert rules evaluated on the monitoring host, each proven by promtool test rules') : off('no monitoring host to evaluate rules'))),
  item('O5', 'Logs shipped with labels', 'One place to search journald and access logs by service, level and host.',
    (f) => (f.isMonitoringHost ? off('the monitoring host\'s own journal stays on it (Loki runs here, fed by the watched hosts): read it with journalctl over Session Manager')
      : !f.logShipping ? off('no Loki: set monitoringHost or lokiPushUrl')
      : f.authenticatedLogs ? enforced('Grafana Alloy ships journald (and nginx\'s JSON log) with service, level and host labels to the monitoring host\'s log gateway: TLS to a pinned certificate, this host\'s own token (from its own secret), its own Loki tenant and rate limit; no query or delete path')
        : enforced('Grafana Alloy ships journald (and nginx\'s JSON log) to Loki with service, level and host labels'))),
  item('O6', 'Tracing, when a collector exists', 'Requests can be followed across services.',
    (f) => (f.otel ? enforced('OTEL_EXPORTER_OTLP_ENDPOINT given to the service') : off('no otelEndpoint'))),
  item('O7', 'AWS-side alarms', 'Failures the host cannot report itself still reach someone.',
    (f) => enforced(f.group && f.groupHealthCheck === 'EC2'
      ? 'the group replaces instances failing EC2\'s status checks and abandons a replacement that never gets ready; a CloudWatch alarm on fewer instances in service than the minimum notifies the SNS topic'
      : f.group ? 'the group replaces instances failing the load balancer\'s health check; a CloudWatch alarm on unhealthy targets notifies the SNS topic'
      : 'CloudWatch alarms: recover on StatusCheckFailed_System, reboot on StatusCheckFailed_Instance, both to the SNS topic')),
  item('O8', 'Probes from outside', 'What users see: the health path through the front door, and the certificate lifetime.',
    (f) => (f.frontDoor && f.monitoringHost ? enforced('blackbox probe of the health path over HTTPS; certificate lifetime exported by the deploy hook')
      : f.frontDoor ? off('no monitoring host to probe from; certificate lifetime still exported') : notApplicable('no front door on this host'))),
  item('O9', 'A place for it all', 'Prometheus, Alertmanager, Loki and Grafana on a host whose group is the only scraper.',
    (f) => (f.monitoringHost ? enforced(f.isMonitoringHost ? 'this is the monitoring host' : 'monitoring host with Prometheus, Alertmanager, blackbox, Loki, Grafana; its group is the only scraper') : off('monitoringHost is off'))),
];

/** Readiness rows for a watched host (the O rows of GUIDANCE.md). Pure. */
import { ReadinessRow } from './readiness';

export interface ObservedHostFacts {
  readonly monitoringHost: boolean;
  readonly goService: boolean;
  readonly frontDoor: boolean;
  readonly logShipping: boolean;
  readonly otel: boolean;
  readonly isMonitoringHost?: boolean;
  /** An Auto Scaling group member. */
  readonly group?: boolean;
}

export function observabilityReadiness(f: ObservedHostFacts): ReadinessRow[] {
  const e = (id: string, detail: string): ReadinessRow => ({ id, status: 'enforced', detail });
  const off = (id: string, detail: string): ReadinessRow => ({ id, status: 'off', detail });
  const na = (id: string, detail: string): ReadinessRow => ({ id, status: 'not applicable', detail });
  return [
    e('O1', `node_exporter (systemd and textfile collectors) on the private address${f.monitoringHost ? ', scraped from the monitoring host\'s group only' : '; no scraper admitted (no monitoring host)'}`),
    f.frontDoor ? e('O2', 'nginx-prometheus-exporter reading stub_status on 127.0.0.1') : na('O2', 'no nginx on this host'),
    f.goService ? e('O3', 'the Go service\'s metrics path scraped; LimitNOFILE and MemoryMax exported for the alerts') : na('O3', 'no Go service on this host'),
    f.monitoringHost ? e('O4', 'alert rules evaluated on the monitoring host, each proven by promtool test rules') : off('O4', 'no monitoring host to evaluate rules'),
    f.logShipping ? e('O5', 'Grafana Alloy ships journald (and nginx\'s JSON log) to Loki with service, level and host labels') : off('O5', 'no Loki: set monitoringHost or lokiPushUrl'),
    f.otel ? e('O6', 'OTEL_EXPORTER_OTLP_ENDPOINT given to the service') : off('O6', 'no otelEndpoint'),
    f.group
      ? e('O7', 'the group replaces instances failing the load balancer\'s health check; a CloudWatch alarm on unhealthy targets notifies the SNS topic')
      : e('O7', 'CloudWatch alarms: recover on StatusCheckFailed_System, reboot on StatusCheckFailed_Instance, both to the SNS topic'),
    f.frontDoor && f.monitoringHost ? e('O8', 'blackbox probe of the health path over HTTPS; certificate lifetime exported by the deploy hook') : f.frontDoor ? off('O8', 'no monitoring host to probe from; certificate lifetime still exported') : na('O8', 'no front door on this host'),
    f.monitoringHost ? e('O9', f.isMonitoringHost ? 'this is the monitoring host' : 'monitoring host with Prometheus, Alertmanager, blackbox, Loki, Grafana; its group is the only scraper') : off('O9', 'monitoringHost is off'),
  ];
}

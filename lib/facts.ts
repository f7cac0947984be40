/**
 * Well-known facts the features, their checks and the boot harness share: the ports and paths
 * the library's own daemons use on every host. One place, so a check and the configuration it
 * guards cannot disagree. Pure: no imports.
 */

export const PORTS = {
  ssh: 22,
  http: 80,
  https: 443,
  /** nginx's stub_status, on 127.0.0.1 only (read by the nginx exporter). */
  stubStatus: 8088,
  /** nginx's own health answer for a public load balancer's checks (front-door groups behind one). */
  nginxHealth: 8089,
  nodeExporter: 9100,
  nginxExporter: 9113,
  /** The log gateway on the monitoring host: the one port watched hosts push logs to. */
  loki: 3100,
  /** Loki itself, on the monitoring host's loopback (behind the gateway). */
  lokiLocal: 3101,
  prometheus: 9090,
  alertmanager: 9093,
  blackbox: 9115,
  grafana: 3000,
  /** Alloy's UI, on loopback. */
  alloyUi: 12345,
  /** The Go service's metrics, apart from its traffic port (METRICS_ADDR), scraped by the monitoring host. */
  appMetrics: 9464,
} as const;

/** Ports a watched host's own daemons take: never a service's listen port, an upstream on the host, or the app's metrics port. */
export const RESERVED_LOCAL_PORTS: Readonly<Record<number, string>> = {
  [PORTS.stubStatus]: "nginx's stub_status (127.0.0.1)",
  [PORTS.nodeExporter]: 'node_exporter',
  [PORTS.nginxExporter]: 'nginx-prometheus-exporter',
};

/** Ports every host of the library may listen on besides its service. */
export const HOST_PORTS: Readonly<Record<number, string>> = {
  [PORTS.ssh]: 'sshd',
  [PORTS.http]: 'nginx (HTTP)',
  [PORTS.https]: 'nginx (HTTPS)',
  ...RESERVED_LOCAL_PORTS,
};

export const PATHS = {
  /** nginx's JSON access log, shipped by Alloy. */
  nginxAccessLog: '/var/log/nginx/access.json',
} as const;

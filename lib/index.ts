// The public API: what users create, pass and hold. Everything else under lib/ is internal and
// may change without notice.

// Hosts and their placement
export { HardenedHost, HardenedHostBase, USER_DATA_LIMIT_BYTES } from './constructs/hardened-host';
export type { HardenedHostProps, HostConfigurationProps, FrontDoorOnHost } from './constructs/hardened-host';
export { HardenedGoHost } from './constructs/hardened-go-host';
export type { HardenedGoHostProps, GoServiceProps, IGoService } from './constructs/hardened-go-host';
export { HardenedGoService } from './constructs/hardened-go-service';
export type { HardenedGoServiceProps } from './constructs/hardened-go-service';
export { GO_SERVICE_DEFAULTS } from './policy/go-service-checks';
export type { ResolvedGroupSettings } from './policy/go-service-checks';
export { InternalLoadBalancer } from './constructs/internal-load-balancer';
export type { InternalLoadBalancerProps } from './constructs/internal-load-balancer';
export { MachineImage } from './model/machine-image';
export { ReleaseArtifact } from './model/release-artifact';
export type { S3ArtifactLocation } from './model/release-artifact';
export { DISTROS } from './model/distro';
export type { DistroInfo, DistroName } from './model/distro';

// Networking as intent
export { Port, Peer, PRIVATE_IPV4_RANGES } from './model/port';
export type { Protocol, IPeer } from './model/port';
export { Connections } from './constructs/connections';
export type { IConnectable, ConnectionRule } from './constructs/connections';

// Settings and provisioning that hosts expose
export { HostProvisioning } from './model/provisioning';
export type { StepPhase } from './model/provisioning';
export type { BaseHostSettings } from './model/host';
export type { GoHostSettings } from './model/go-host';
export type { FrontDoorSettings } from './model/front-door';
export type { WriteFile } from './render/cloud-config';
export type { ScriptStep } from './render/shell';

// Front door
export { NginxFrontDoor, FRONT_DOOR_DEFAULTS } from './constructs/nginx-front-door';
export type { NginxFrontDoorProps } from './constructs/nginx-front-door';
export { CertificateSource } from './model/certificate-source';
export type { LetsEncryptOptions, SsmCertificateOptions, SecretsManagerCertificateOptions } from './model/certificate-source';
export { TLS_PROFILES, MOZILLA_GUIDELINE_VERSION } from './model/tls-profiles';
export type { TlsProfile, TlsProfileName } from './model/tls-profiles';

// Observability
export { ObservabilityStack } from './constructs/observability-stack';
export type { ObservabilityStackProps, ScrapeJob } from './constructs/observability-stack';
export { DEFAULT_THRESHOLDS, alertRules, customAlertRule, promtoolRuleTests } from './model/alert-rules';
export type { AlertThresholds, AlertRule, CustomAlertRule, AlertRuleTestCase } from './model/alert-rules';

// Readiness and errors
export { writeReadinessReports } from './constructs/readiness-report';
export type { StackSummary } from './constructs/readiness-report';
export { readinessScore, renderReadinessMarkdown } from './policy/readiness';
export type { ReadinessRow, ReadinessStatus, HostReadiness } from './policy/readiness';
export { inputFailures } from './constructs/input';
export type { PropFailure } from './policy/errors';
export { GoHostError } from './errors';

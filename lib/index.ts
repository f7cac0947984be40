// The public API: what users create, pass and hold. Everything else under lib/ is internal and
// may change without notice.

// Hosts and their placement
export { HardenedHost, HardenedHostBase, USER_DATA_LIMIT_BYTES } from './host/hardened-host';
export type { HardenedHostProps, HostConfigurationProps, FrontDoorOnHost } from './host/hardened-host';
export { HardenedHostGroup, resolveHostGroupSettings } from './host/hardened-host-group';
export type { HardenedHostGroupProps, HostGroupSettings } from './host/hardened-host-group';
export { HardenedGoHost } from './go-service/hardened-go-host';
export type { HardenedGoHostProps, GoServiceProps, IGoService } from './go-service/hardened-go-host';
export { HardenedGoService } from './go-service/hardened-go-service';
export type { HardenedGoServiceProps } from './go-service/hardened-go-service';
export { GO_HOST_DEFAULTS, GO_SERVICE_GROUP_DEFAULTS, GO_SERVICE_DEFAULTS, resolveGoServiceSettings } from './go-service/settings';
export type { GoServiceSettings } from './go-service/settings';
export { HOST_DEFAULTS, HOST_GROUP_DEFAULTS, resolveHostSettings } from './host/settings';
export type { HostCheckContext, HostSettings } from './host/settings';
export type { ResolvedGroupSettings } from './go-service/group-checks';
export { InternalLoadBalancer } from './go-service/internal-load-balancer';
export type { InternalLoadBalancerProps } from './go-service/internal-load-balancer';
export { MachineImage } from './host/machine-image';
export { ReleaseArtifact } from './go-service/release-artifact';
export { ServiceSecret } from './go-service/service-secret';
export type { SecretsManagerSecretOptions, SsmSecretOptions } from './go-service/service-secret';
export type { S3ArtifactLocation } from './go-service/release-artifact';
export { DISTROS } from './host/distro';
export type { DistroInfo, DistroName } from './host/distro';

// Networking as intent
export { Port, Peer, PRIVATE_IPV4_RANGES } from './network/port';
export type { Protocol, IPeer } from './network/port';
export { Connections } from './network/connections';
export type { IConnectable, ConnectionRule } from './network/connections';

// Settings and provisioning that hosts expose
export { HostProvisioning } from './host/provisioning';
export type { StepPhase } from './host/provisioning';
export type { BaseHostSettings } from './host/artifacts';
export type { GoHostSettings } from './go-service/artifacts';
export type { FrontDoorSettings } from './front-door/artifacts';
export type { WriteFile } from './render/cloud-config';
export type { ScriptStep } from './render/shell';

// Front door
export { NginxFrontDoor } from './front-door/nginx-front-door';
export { FRONT_DOOR_DEFAULTS, resolveFrontDoorSettings } from './front-door/settings';
export type { FrontDoorCheckInput, FrontDoorPropSettings } from './front-door/settings';
export type { NginxFrontDoorProps } from './front-door/nginx-front-door';
export { CertificateSource } from './front-door/certificate-source';
export type { LetsEncryptOptions, SsmCertificateOptions, SecretsManagerCertificateOptions } from './front-door/certificate-source';
export { TLS_PROFILES, MOZILLA_GUIDELINE_VERSION } from './front-door/tls-profiles';
export type { TlsProfile, TlsProfileName } from './front-door/tls-profiles';

// Observability
export { ObservabilityStack } from './observability/observability-stack';
export { OBSERVABILITY_DEFAULTS, resolveObservabilitySettings } from './observability/settings';
export type { ObservabilitySettings } from './observability/settings';
export type { ObservabilityStackProps, ScrapeJob } from './observability/observability-stack';
export { DEFAULT_THRESHOLDS, alertRules, customAlertRule, promtoolRuleTests } from './observability/alert-rules';
export type { AlertThresholds, AlertRule, CustomAlertRule, AlertRuleTestCase } from './observability/alert-rules';

// Readiness and errors
export { writeReadinessReports } from './readiness/report';
export type { StackSummary } from './readiness/report';
export { readinessScore, renderReadinessMarkdown } from './readiness/rows';
export type { ReadinessRow, ReadinessStatus, HostReadiness } from './readiness/rows';
export { inputFailures } from './input/report';
export type { PropFailure } from './input/prop-checks';
export { GoHostError } from './errors';

// Policy pack for any cdktf stack
export { GoHostPolicy, policyReport } from './policy/aspect';
export { POLICY_RULES } from './policy/pack';
export type { PolicyFinding, PolicyResource, PolicyRule } from './policy/rule';

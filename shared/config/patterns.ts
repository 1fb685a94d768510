// Value formats shared by config validation and the event schema.

/** Cluster id: lowercase label-safe and resource-id-safe (it appears in labels and in resource names). */
export const CLUSTER_ID_PATTERN = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Gateway API controllerName: a domain-prefixed path (GatewayController in the CRDs). */
export const CONTROLLER_NAME_PATTERN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** Network Services resource id (Mesh id). */
export const RESOURCE_ID_PATTERN = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Google Cloud project id. */
export const PROJECT_ID_PATTERN = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** DNS subdomain, e.g. the cluster domain. */
export const DNS_SUBDOMAIN_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Pub/Sub topic: an id or projects/P/topics/T. */
export const TOPIC_PATTERN =
  /^(projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/)?[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

/** Placeholders allowed in GAMMA_BACKEND_SERVICE_TEMPLATE. */
export const BACKEND_TEMPLATE_PLACEHOLDERS = ['namespace', 'service', 'port', 'cluster'] as const;

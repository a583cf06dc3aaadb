/** tempest.conf for a nova-shaped cloud that has only what extgate serves. */

export interface TempestCloud {
  workspace: string;
  keystoneUrl: string; // .../v3
  region: string;
  admin: { user: string; password: string; project: string; domain: string };
  images: [string, string];
  flavors: [string, string];
  /** What extgate lists at GET /v2/extensions (tempest 33 no longer reads it; kept for older ones). */
  extensions: string[];
}

/**
 * [compute-feature-enabled]: on only for what extgate serves. The full list is tempest's
 * ComputeFeaturesGroup (tempest/config.py); an unlisted flag keeps tempest's default.
 */
const FEATURES: Record<string, boolean> = {
  disk_config: true, // OS-DCF:diskConfig
  snapshot: true, // createImage
  enable_instance_password: true, // adminPass on create
  change_password: false,
  console_output: false,
  resize: false,
  pause: false,
  shelve: false,
  shelve_migrate: false,
  suspend: false,
  cold_migration: false,
  live_migration: false,
  live_migrate_back_and_forth: false,
  block_migration_for_live_migration: false,
  block_migrate_cinder_iscsi: false,
  can_migrate_between_any_hosts: false,
  metadata_service: false,
  vnc_console: false,
  spice_console: false,
  rdp_console: false,
  serial_console: false,
  rescue: false,
  stable_rescue: false,
  interface_attach: false,
  nova_cert: false,
  personality: false,
  attach_encrypted_volume: false,
  config_drive: false,
  swap_volume: false,
  volume_backed_live_migration: false,
  volume_multiattach: false,
  xenapi_apis: false,
  ide_bus: false,
  hostname_fqdn_sanitization: false,
  unified_limits: false,
};

const ini = (sections: Record<string, Record<string, string | number | boolean>>): string =>
  Object.entries(sections)
    .map(([name, opts]) => `[${name}]\n${Object.entries(opts).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`)
    .join('\n');

export const tempestConf = (c: TempestCloud): string =>
  ini({
    // debug: tempest logs every request and response in full, which the report quotes.
    DEFAULT: { debug: true, log_dir: `${c.workspace}/logs`, log_file: 'tempest.log', use_stderr: false },
    oslo_concurrency: { lock_path: `${c.workspace}/tempest_lock` },
    auth: {
      use_dynamic_credentials: true,
      create_isolated_networks: false,
      admin_username: c.admin.user,
      admin_password: c.admin.password,
      admin_project_name: c.admin.project,
      admin_domain_name: c.admin.domain,
      admin_user_domain_name: c.admin.domain,
      admin_project_domain_name: c.admin.domain,
      default_credentials_domain_name: c.admin.domain,
    },
    identity: { uri_v3: c.keystoneUrl, auth_version: 'v3', region: c.region, v3_endpoint_type: 'public' },
    'identity-feature-enabled': { api_v2: false, api_v3: true },
    service_available: { nova: true, glance: true, neutron: false, cinder: false, swift: false, horizon: false },
    compute: {
      image_ref: c.images[0],
      image_ref_alt: c.images[1],
      flavor_ref: c.flavors[0],
      flavor_ref_alt: c.flavors[1],
      catalog_type: 'compute',
      region: c.region,
      endpoint_type: 'publicURL',
      build_interval: 1,
      // BUILD lasts 300 ms here: a server not ACTIVE within a minute never will be.
      build_timeout: 60,
    },
    'compute-feature-enabled': { ...FEATURES, api_extensions: c.extensions.join(',') },
    image: { catalog_type: 'image', region: c.region, endpoint_type: 'publicURL', build_interval: 1, build_timeout: 60 },
    'image-feature-enabled': { api_v2: true, api_v1: false },
    validation: { run_validation: false },
  });

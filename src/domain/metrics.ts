/**
 * Metric names the domain read models (sites, problems, servers) read, in one place: when a probe or profile renames a metric, this is the only
 * file to change. Where profiles for different vendors may name a figure differently, several names are
 * listed and the first one with data wins.
 */
export const M = {
  ifIn: 'netmon_interface_receive_bytes_total',
  ifOut: 'netmon_interface_transmit_bytes_total',
  ifOper: 'netmon_interface_oper_up',
  ifAdmin: 'netmon_interface_admin_up',
  ifSpeed: 'netmon_interface_speed_bytes_per_second',
  ifInErrors: 'netmon_interface_receive_errors_total',
  ifOutErrors: 'netmon_interface_transmit_errors_total',
  probeSuccess: 'netmon_probe_success',
  pingLoss: 'netmon_ping_loss_ratio',
  pingMin: 'netmon_ping_rtt_min_seconds',
  pingMedian: 'netmon_ping_rtt_median_seconds',
  pingMax: 'netmon_ping_rtt_max_seconds',
  pingQuantile: 'netmon_ping_rtt_quantile_seconds',
  uplinkBytesPerSecond: 'netmon_uplink_traffic_bytes_per_second',
  opticalRx: 'netmon_optical_rx_power_dbm',
  opticalTx: 'netmon_optical_tx_power_dbm',
} as const;

/** Optical thresholds: [key in the API, candidate metric names]. */
export const OPTICAL_THRESHOLDS: [string, string[]][] = [
  ['rx_low_alarm_dbm', ['netmon_optical_rx_power_low_alarm_dbm']],
  ['rx_low_warn_dbm', ['netmon_optical_rx_power_low_warning_dbm', 'netmon_optical_rx_power_low_warn_dbm']],
  ['rx_high_warn_dbm', ['netmon_optical_rx_power_high_warning_dbm', 'netmon_optical_rx_power_high_warn_dbm']],
  ['rx_high_alarm_dbm', ['netmon_optical_rx_power_high_alarm_dbm']],
  ['tx_low_alarm_dbm', ['netmon_optical_tx_power_low_alarm_dbm']],
  ['tx_low_warn_dbm', ['netmon_optical_tx_power_low_warning_dbm', 'netmon_optical_tx_power_low_warn_dbm']],
  ['tx_high_warn_dbm', ['netmon_optical_tx_power_high_warning_dbm', 'netmon_optical_tx_power_high_warn_dbm']],
  ['tx_high_alarm_dbm', ['netmon_optical_tx_power_high_alarm_dbm']],
];

/** Server figures (HOST-RESOURCES-MIB, UCD-SNMP-MIB profiles; the host probe for netmon's own machine). */
export const SERVER = {
  cpu: ['netmon_host_cpu_load_ratio', 'netmon_host_cpu_utilization_ratio', 'netmon_cpu_utilization_ratio', 'netmon_hr_processor_load_ratio', 'netmon_processor_load_ratio'],
  memTotal: ['netmon_host_memory_total_bytes', 'netmon_memory_total_bytes', 'netmon_ucd_memory_total_bytes'],
  memAvail: ['netmon_host_memory_available_bytes', 'netmon_memory_available_bytes', 'netmon_ucd_memory_available_bytes'],
  memUsed: ['netmon_memory_used_bytes'],
  fsSize: ['netmon_host_storage_size_bytes', 'netmon_host_filesystem_size_bytes'],
  fsUsed: ['netmon_host_storage_used_bytes', 'netmon_host_filesystem_used_bytes'],
  load: ['netmon_host_load_average', 'netmon_load_average'],
  load1: ['netmon_load1', 'netmon_load_average_1m'],
  load5: ['netmon_load5', 'netmon_load_average_5m'],
  load15: ['netmon_load15', 'netmon_load_average_15m'],
} as const;

/** hrStorageType values that are disks (memory and swap rows of hrStorageTable are not). */
export const DISK_STORAGE_TYPES = new Set(['fixed_disk', 'network_disk', 'removable_disk', 'flash_memory']);

/** Disk and CPU levels at which a server is shown as struggling. */
export const SERVER_THRESHOLDS = { cpuWarn: 0.9, memWarn: 0.9, diskWarn: 0.9 };

/** Dev certificates for samples and `morgana cert` (Node side). */
export {
  DEFAULT_HOSTS,
  type DevCertificateErrorCode,
  type DevCertificateOptions,
  type DevCertificateResult,
  type DevCertificates,
  type DevFile,
  makeDevCertificates,
} from "./dev.ts";

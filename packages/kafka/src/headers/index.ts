export { HEADERS, type RawHeaders, type RecordHeaders } from './names.js';
export {
  readHeaders,
  readStandardHeaders,
  type StandardHeaderValues,
  standardHeaders,
} from './standard-headers.js';
export { childTraceparent, isValidTraceparent, newTraceparent } from './traceparent.js';

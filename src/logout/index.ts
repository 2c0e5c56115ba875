export {
  type BuildLogoutRequestInput,
  buildLogoutRequest,
  type LogoutRequest,
  parseLogoutRequest,
} from './logout-request.js';
export {
  type BuildLogoutResponseInput,
  buildLogoutResponse,
  type LogoutResponse,
  parseLogoutResponse,
  type Status,
  type StatusInput,
} from './logout-response.js';

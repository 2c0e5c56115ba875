import { buildLogoutResponse } from '../../logout/logout-response.js';
import type { Command } from '../command.js';
import { parseCommandLine, required, UsageError } from '../command-line.js';
import { parseStatus, statusWords } from '../names.js';
import { emitMessage, outgoingHelp, outgoingSpec, readOutgoing } from '../outgoing.js';

const help = `Usage: samlkit logout-response --issuer <entity ID> --destination <URL> --in-response-to <ID> [options]

Builds a LogoutResponse (SAMLCore §3.7.2) with buildLogoutResponse and encodes
it for a binding with encodeRedirect, encodePost or encodeSoap.

Message:
  --issuer <entity ID>        Our entity ID (saml:Issuer); required
  --destination <URL>         The peer's SingleLogoutService response URL; required except with --binding soap
  --in-response-to <ID>       ID of the LogoutRequest answered; required
  --status <word>             ${Object.keys(statusWords).join(', ')} (default success;
                              partial = Responder/PartialLogout, unknown-principal = Requester/UnknownPrincipal,
                              request-denied = Responder/RequestDenied)
  --sub-status <name|URI>     Second-level status code, e.g. PartialLogout, with a top-level --status
  --status-message <text>     StatusMessage

${outgoingHelp}
  -h, --help

Exit status: 0 printed; 1 the library refused the input (the SAML_* code is printed); 2 usage error.

Examples:
  samlkit logout-response --issuer https://idp.example.com/metadata \\
    --destination https://sp.example.com/slo --in-response-to _4f2c… --status partial \\
    --key key.pem --cert cert.pem
`;

const spec = {
  issuer: { type: 'string' },
  destination: { type: 'string' },
  'in-response-to': { type: 'string' },
  status: { type: 'string' },
  'sub-status': { type: 'string' },
  'status-message': { type: 'string' },
  ...outgoingSpec,
} as const;

export const logoutResponseCommand: Command = {
  name: 'logout-response',
  summary: 'Build a LogoutResponse for HTTP-Redirect, HTTP-POST or SOAP, optionally signed',
  help,
  async run(args, io) {
    const command = 'logout-response';
    const { values } = parseCommandLine(command, args, spec, { min: 0, max: 0 });
    const issuer = required(command, 'issuer', values.issuer);
    const inResponseTo = required(command, 'in-response-to', values['in-response-to']);
    const status = parseStatus(command, values);
    const outgoing = readOutgoing(command, values);
    const destination = values.destination;
    if (destination === undefined && outgoing.binding !== 'soap') {
      throw new UsageError(`option '--destination' is required for --binding ${outgoing.binding}`, command);
    }
    const { xml } = buildLogoutResponse({
      ...outgoing.context,
      issuer,
      inResponseTo,
      status,
      ...(destination === undefined ? {} : { destination }),
    });
    emitMessage(io, { type: 'SAMLResponse', xml, destination, ...outgoing });
    return 0;
  },
};

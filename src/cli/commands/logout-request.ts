import { buildLogoutRequest } from '../../logout/logout-request.js';
import type { NameIdValue } from '../../message/header.js';
import type { Command } from '../command.js';
import { parseCommandLine, required } from '../command-line.js';
import { parseNameIdFormat, parseReason } from '../names.js';
import { emitMessage, outgoingHelp, outgoingSpec, readOutgoing } from '../outgoing.js';

const help = `Usage: samlkit logout-request --issuer <entity ID> --destination <URL> --name-id <value> [options]

Builds a LogoutRequest (SAMLCore §3.7.1) with buildLogoutRequest and encodes it
for a binding with encodeRedirect, encodePost or encodeSoap.

Message:
  --issuer <entity ID>        Our entity ID (saml:Issuer); required
  --destination <URL>         The peer's SingleLogoutService URL; required
  --name-id <value>           The principal's NameID exactly as issued to the peer; required
  --name-id-format <name|URI> email, persistent, transient, unspecified, entity, … or a URI
  --name-qualifier <text>     NameID NameQualifier
  --sp-name-qualifier <text>  NameID SPNameQualifier
  --session-index <value>     SessionIndex of a session to end; repeatable
  --reason <user|admin|URI>   Reason attribute

${outgoingHelp}
  -h, --help

Exit status: 0 printed; 1 the library refused the input (the SAML_* code is printed); 2 usage error.

Examples:
  samlkit logout-request --issuer https://idp.example.com/metadata \\
    --destination https://sp.example.com/slo --name-id alice@example.com --name-id-format email \\
    --session-index _abc123 --key key.pem --cert cert.pem --relay-state /home
  samlkit logout-request … --binding soap --key key.pem --cert cert.pem > request.xml
`;

const spec = {
  issuer: { type: 'string' },
  destination: { type: 'string' },
  'name-id': { type: 'string' },
  'name-id-format': { type: 'string' },
  'name-qualifier': { type: 'string' },
  'sp-name-qualifier': { type: 'string' },
  'session-index': { type: 'string', repeatable: true },
  reason: { type: 'string' },
  ...outgoingSpec,
} as const;

export const logoutRequestCommand: Command = {
  name: 'logout-request',
  summary: 'Build a LogoutRequest for HTTP-Redirect, HTTP-POST or SOAP, optionally signed',
  help,
  async run(args, io) {
    const command = 'logout-request';
    const { values } = parseCommandLine(command, args, spec, { min: 0, max: 0 });
    const issuer = required(command, 'issuer', values.issuer);
    const destination = required(command, 'destination', values.destination);
    const nameId: NameIdValue = { value: required(command, 'name-id', values['name-id']) };
    const format = parseNameIdFormat(command, values['name-id-format']);
    if (format !== undefined) nameId.format = format;
    if (values['name-qualifier'] !== undefined) nameId.nameQualifier = values['name-qualifier'];
    if (values['sp-name-qualifier'] !== undefined) nameId.spNameQualifier = values['sp-name-qualifier'];
    const reason = parseReason(command, values.reason);
    const outgoing = readOutgoing(command, values);
    const { xml } = buildLogoutRequest({
      ...outgoing.context,
      issuer,
      destination,
      nameId,
      ...(values['session-index'] ? { sessionIndex: values['session-index'] } : {}),
      ...(reason === undefined ? {} : { reason }),
    });
    emitMessage(io, { type: 'SAMLRequest', xml, destination, ...outgoing });
    return 0;
  },
};

import { bindingUris } from '../../constants/saml.js';
import { isSamlError, type SamlError } from '../../errors/index.js';
import type { Command } from '../command.js';
import { parseCommandLine, UsageError } from '../command-line.js';
import { readInputText } from '../input.js';
import { inspectInput, type MessageInput, readMessageInput } from '../message-input.js';
import { prettyXml } from '../pretty-xml.js';
import {
  describeSignature,
  describeSignatureRow,
  formatRows,
  type MessageSummary,
  messageXmlOf,
  type Row,
  summarizeMessage,
  summaryRows,
} from '../summary.js';

const help = `Usage: samlkit decode <message> [--json | --raw]

Decodes a SAML message WITHOUT verifying it and shows a summary and the XML.

<message> is one of:
  a full URL             https://idp.example.com/slo?SAMLRequest=…&RelayState=…&SigAlg=…&Signature=…
  a query string         SAMLRequest=…&RelayState=…   (DEFLATE: HTTP-Redirect; plain base64: an HTTP-POST form body)
  JSON form fields       {"SAMLRequest":"…","RelayState":"…"} or {"url":…,"fields":{…}}
  a SOAP envelope or bare XML of a protocol message
  a bare base64 value    DEFLATE-compressed (HTTP-Redirect) or not (HTTP-POST), percent-encoded or not
  a file holding any of these, or - for standard input

The binding and whether the payload is DEFLATE-compressed are detected; decoding
uses the library's strict decoders (base64, capped inflate, UTF-8, hardened XML
parser). Fields shown are UNVERIFIED: check them with 'samlkit verify'.

Options:
  --json    Print the summary and the decoded XML as one JSON object
  --raw     Print only the decoded XML, byte for byte (for xmllint, xmlsec1, diff)
  -h, --help

Exit status: 0 decoded; 1 the input cannot be decoded, or the message breaks
samlkit's parsing rules (the summary then shows the problem); 2 usage error.

Examples:
  samlkit decode 'https://idp.example.com/slo?SAMLRequest=fZJNb…'
  pbpaste | samlkit decode -
  samlkit logout-request --issuer … --destination … --name-id alice | samlkit decode -
`;

const bindingNames = { redirect: 'HTTP-Redirect', post: 'HTTP-POST', soap: 'SOAP' } as const;

const formNames: Record<MessageInput['form'], string> = {
  url: 'full URL',
  query: 'query string',
  form: 'urlencoded form body',
  json: 'JSON form fields',
  soap: 'SOAP envelope',
  xml: 'bare XML document',
  base64: 'bare base64 value',
};

function describeBinding(input: MessageInput): string {
  const binding = bindingNames[input.binding];
  if (input.form === 'xml') return `none (${formNames.xml}); verify reads it as an HTTP-POST payload`;
  const encoding =
    input.deflated === undefined
      ? ''
      : input.deflated
        ? ', DEFLATE-compressed'
        : input.binding === 'redirect'
          ? ', NOT DEFLATE-compressed (SAMLBind §3.4.4.1 requires it; receiveRedirect refuses it)'
          : ', base64 without DEFLATE';
  return `${binding}${encoding} (${formNames[input.form]})`;
}

function endpointOf(input: MessageInput): string | undefined {
  if (input.form !== 'url' || typeof input.http.query !== 'string') return undefined;
  const question = input.http.query.indexOf('?');
  return question === -1 ? undefined : input.http.query.slice(0, question);
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'Decode a message (URL, query, form, base64, XML, file or -) and show it, unverified',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(
      'decode',
      args,
      { json: { type: 'boolean' }, raw: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    if (values.json && values.raw) throw new UsageError("'--json' and '--raw' exclude each other", 'decode');
    const input = readMessageInput(await readInputText(positionals[0]!, io));
    if (values.raw) {
      io.out(input.xml.endsWith('\n') ? input.xml : `${input.xml}\n`);
      return 0;
    }

    let problem: SamlError | undefined;
    let summary: MessageSummary | undefined;
    let relayState = input.relayState;
    try {
      const inspected = inspectInput(input);
      relayState = inspected.relayState;
      summary = summarizeMessage(inspected.header, messageXmlOf(input), input.message);
    } catch (error) {
      if (!isSamlError(error)) throw error;
      problem = error;
    }
    const signature = describeSignature(input);
    const hasComments = input.xml.includes('<!--');

    if (values.json) {
      io.out(
        `${JSON.stringify(
          {
            verified: false,
            binding: input.form === 'xml' ? null : input.binding,
            bindingUri: input.form === 'xml' ? null : bindingUris[input.binding],
            input: input.form,
            ...(input.deflated === undefined ? {} : { deflated: input.deflated }),
            parameter: input.parameter,
            ...(endpointOf(input) === undefined ? {} : { endpoint: endpointOf(input) }),
            ...(relayState === undefined ? {} : { relayState }),
            signature,
            ...(summary ?? {}),
            ...(problem ? { problem: `${problem.code}: ${problem.message}` } : {}),
            xml: input.xml,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      const rows: Row[] = [['Binding', describeBinding(input)]];
      const endpoint = endpointOf(input);
      if (endpoint !== undefined) rows.push(['Endpoint', endpoint]);
      rows.push(['Parameter', input.parameter]);
      if (summary) rows.push(...summaryRows(summary));
      if (problem) rows.push(['Problem', `${problem.code}: ${problem.message}`]);
      rows.push(['RelayState', relayState === undefined ? '(none)' : JSON.stringify(relayState)]);
      rows.push([
        'Signature',
        `${describeSignatureRow(signature)}${signature.kind === 'none' ? '' : ' — NOT verified'}`,
      ]);
      io.out('Decoded, NOT verified (check it with: samlkit verify <message> --cert <file>)\n\n');
      io.out(formatRows(rows));
      io.out(`\n${prettyXml(input.parsed.root)}\n`);
      if (hasComments)
        io.out('\n(The document contains XML comments, which this view leaves out; --raw shows them.)\n');
    }
    if (problem) {
      io.err(`samlkit: ${problem.code}: ${problem.message}\n`);
      return 1;
    }
    if (summary?.problem !== undefined) {
      io.err(`samlkit: ${summary.problem}\n`);
      return 1;
    }
    return 0;
  },
};

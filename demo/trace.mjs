/**
 * The demo's trace: every SAML message that crossed the wire, who signed it
 * (found by verifying it against each party's certificate, independently of the
 * receiver) and what the receiver made of it.
 */
import {
  inspectMessage,
  isSamlError,
  parseLogoutRequest,
  parseLogoutResponse,
  receivePost,
  receiveRedirect,
  receiveSoap,
} from 'samlkit';

/** `CN=idp.samlkit.test (SHA-256 5F:2A:3B:C1:…:9C)`: enough to tell certificates apart at a glance. */
export function describeCertificate(keyPair) {
  const fingerprint = keyPair.fingerprintSha256.split(':');
  return `${keyPair.subject} (SHA-256 ${fingerprint.slice(0, 4).join(':')}:…:${fingerprint.at(-1)})`;
}

const bindingNames = { redirect: 'HTTP-Redirect', post: 'HTTP-POST', soap: 'SOAP' };

/** The signature algorithm URI's fragment: `rsa-sha256`, `ecdsa-sha256`. */
const shortAlgorithm = (uri) => (uri ? uri.slice(uri.lastIndexOf('#') + 1) : 'unsigned');

/** Verifies one raw message with one certificate through samlkit's receive path. */
function verifyWith(wire, certificate) {
  const options = { trust: [certificate] };
  if (wire.binding === 'redirect') return receiveRedirect(wire.url, options);
  if (wire.binding === 'post') return receivePost(wire.fields, options);
  return receiveSoap(wire.body, options);
}

export function createTrace(parties) {
  const messages = [];
  const notes = [];

  /** The party whose certificate verifies the message, or a reason none does. */
  function findSigner(wire) {
    let lastCode;
    for (const party of Object.values(parties)) {
      if (!party.certificate) continue;
      try {
        const received = verifyWith(wire, party.certificate);
        return { party: party.name, algorithm: received.algorithm, xml: received.xml };
      } catch (error) {
        lastCode = isSamlError(error) ? error.code : 'error';
      }
    }
    return { party: undefined, code: lastCode };
  }

  return {
    messages,
    notes,

    /**
     * Records a message as it is sent. `wire` is `{ binding, url }` (Redirect),
     * `{ binding, fields }` (POST) or `{ binding, body }` (SOAP).
     */
    message({ from, to, channel, wire }) {
      const inspected = inspectMessage(
        wire.binding === 'redirect'
          ? { method: 'GET', query: wire.url }
          : wire.binding === 'post'
            ? { method: 'POST', body: wire.fields }
            : { method: 'POST', body: wire.body, contentType: 'text/xml' },
      );
      const entry = {
        n: messages.length + 1,
        type: inspected.header.type,
        binding: wire.binding,
        channel,
        from,
        to,
        header: inspected.header,
        relayState: inspected.relayState,
        signer: findSigner(wire),
        details: undefined,
        verdict: undefined,
      };
      // The facts worth showing, read from the verified bytes only.
      if (entry.signer.xml && entry.type === 'LogoutRequest') {
        const request = parseLogoutRequest(entry.signer.xml);
        entry.details = `NameID ${request.nameId?.value}  SessionIndex ${request.sessionIndexes.join(', ')}`;
      } else if (entry.signer.xml && entry.type === 'LogoutResponse') {
        const { status } = parseLogoutResponse(entry.signer.xml);
        const name = (uri) => uri.slice(uri.lastIndexOf(':') + 1);
        entry.details = `Status ${name(status.code)}${status.subCode ? ` / ${name(status.subCode)}` : ''}${
          status.message ? ` ("${status.message}")` : ''
        }`;
      }
      messages.push(entry);
      return entry;
    },

    /** What the receiver of message `id` concluded: accepted (with which certificate) or refused. */
    verdict(id, verdict) {
      const entry = messages.find((m) => m.header.id === id);
      if (entry) entry.verdict = verdict;
    },

    note(line) {
      notes.push(line);
    },

    /** One block of lines per message. */
    render() {
      const lines = [];
      for (const m of messages) {
        const via = m.channel === 'browser' ? 'via the browser' : 'server to server';
        lines.push(
          `  ${m.n}. ${m.type.padEnd(15)} ${bindingNames[m.binding].padEnd(13)} ${m.from} → ${m.to}  (${via})`,
        );
        const facts = [`ID ${m.header.id}`];
        if (m.header.inResponseTo) facts.push(`InResponseTo ${m.header.inResponseTo}`);
        if (m.relayState) facts.push(`RelayState ${m.relayState}`);
        lines.push(`     ${facts.join('  ')}`);
        if (m.details) lines.push(`     ${m.details}`);
        lines.push(
          m.signer.party
            ? `     signed by ${m.signer.party} (${shortAlgorithm(m.signer.algorithm)})`
            : `     signed by nobody known (${m.signer.code})`,
        );
        lines.push(
          m.verdict === undefined
            ? `     no verdict from ${m.to}`
            : m.verdict.accepted
              ? `     verified by ${m.to}${m.verdict.with ? ` with ${m.verdict.with}` : ''}`
              : `     REFUSED by ${m.to}: ${m.verdict.reason}`,
        );
      }
      return lines;
    },
  };
}

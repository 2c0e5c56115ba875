// Controls: one valid message per message type and binding, which must be accepted.

import type { CorpusContext } from '../context.js';
import { logoutResponse, redirectQuery, soapEnvelope, world } from '../shared.js';

export function addControls({
  control,
  LR,
  LRS,
  both,
  postRequest,
  soapRequest,
  redirectRequestXml,
  postResponse,
}: CorpusContext): void {
  // ---- Baselines -------------------------------------------------------------------------

  control(
    {
      id: `${LR}/post/control-signed`,
      messageType: 'LogoutRequest',
      binding: 'post',
      format: 'xml',
      via: both,
    },
    postRequest,
  );
  control(
    {
      id: `${LR}/redirect/control-signed`,
      messageType: 'LogoutRequest',
      binding: 'redirect',
      format: 'query',
      via: both,
    },
    redirectQuery({ xml: redirectRequestXml, relayState: 'rs1' }),
  );
  control(
    {
      id: `${LR}/soap/control-signed`,
      messageType: 'LogoutRequest',
      binding: 'soap',
      format: 'soap',
      via: both,
    },
    soapEnvelope(soapRequest),
  );
  control(
    {
      id: `${LRS}/post/control-signed`,
      messageType: 'LogoutResponse',
      binding: 'post',
      format: 'xml',
      relayState: world.pending.relayState,
      via: both,
    },
    postResponse,
  );
  control(
    {
      id: `${LRS}/redirect/control-signed`,
      messageType: 'LogoutResponse',
      binding: 'redirect',
      format: 'query',
      via: both,
    },
    redirectQuery({
      type: 'SAMLResponse',
      xml: logoutResponse({ binding: 'redirect' }),
      relayState: world.pending.relayState,
    }),
  );
}

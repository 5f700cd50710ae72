import type { FastifyInstance, FastifyReply } from 'fastify';
import { createMetadata } from '../metadata/create-metadata.js';
import { createMetadataResponse, parseSoapCall, SoapFault, soapFaultXml } from '../metadata/soap-envelope.js';
import type { SandboxOrg } from '../org.js';
import { admitApiRequest, type GuardRenderer } from './api-guard.js';

const XML = 'text/xml;charset=UTF-8';

/** SOAP reports every failure as a fault with HTTP 500, the auth and limit refusals included. */
const SOAP_RENDERER: GuardRenderer = {
  contentType: XML,
  render: (_status, errorCode, message) => ({
    status: 500,
    body: soapFaultXml(`sf:${errorCode}`, `${errorCode}: ${message}`),
  }),
};

function sendFault(reply: FastifyReply, fault: SoapFault) {
  return reply.status(500).type(XML).send(soapFaultXml(fault.faultCode, fault.message));
}

/**
 * `POST /services/Soap/m/{version}`: the Metadata API's `createMetadata` for CustomObject and
 * CustomField, which is how the WhatsApp_Chat__c object gets deployed. The session travels in the
 * SOAP SessionHeader, as jsforce and the Salesforce CLI send it.
 */
export function metadataRoutes(org: SandboxOrg) {
  return async (app: FastifyInstance) => {
    app.post('/services/Soap/m/:version', async (request, reply) => {
      let call: ReturnType<typeof parseSoapCall>;
      try {
        call = parseSoapCall(typeof request.body === 'string' ? request.body : '');
      } catch (error) {
        if (error instanceof SoapFault) return sendFault(reply, error);
        throw error;
      }
      const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      const admitted = await admitApiRequest(org, request, reply, {
        token: call.sessionId ?? bearer,
        renderer: SOAP_RENDERER,
      });
      if (!admitted) return reply;
      if (call.operation !== 'createMetadata') {
        return sendFault(
          reply,
          new SoapFault(
            'soapenv:Client',
            `No operation available for request {http://soap.sforce.com/2006/04/metadata}${call.operation}`,
          ),
        );
      }
      try {
        return reply.type(XML).send(createMetadataResponse(createMetadata(org.store.schema, call.body)));
      } catch (error) {
        if (error instanceof SoapFault) return sendFault(reply, error);
        throw error;
      }
    });
  };
}

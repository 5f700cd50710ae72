import type { FastifyInstance, FastifyReply } from 'fastify';
import { createMetadata } from '../metadata/create-metadata.js';
import {
  createMetadataResponse,
  limitedComponents,
  operationResponse,
  parseSoapCall,
  type SoapCall,
  SoapFault,
  soapFaultXml,
} from '../metadata/soap-envelope.js';
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

function components(values: unknown): Record<string, unknown>[] {
  return limitedComponents(values).map((v) =>
    v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {},
  );
}

function onlyLayouts(type: unknown): void {
  if (type !== 'Layout') {
    throw new SoapFault(
      'sf:INVALID_TYPE',
      `INVALID_TYPE: The sandbox reads and updates only Layout metadata, not ${String(type)}`,
    );
  }
}

/** Runs one Metadata API operation and renders its response envelope. */
function answer(org: SandboxOrg, call: SoapCall): string {
  switch (call.operation) {
    case 'createMetadata':
      return createMetadataResponse(createMetadata(org.store.schema, call.body));
    case 'listMetadata': {
      const queries = components(call.body.queries);
      for (const query of queries) onlyLayouts(query.type);
      return operationResponse('listMetadata', queries.length > 0 ? org.layouts.listXml() : '');
    }
    case 'readMetadata': {
      onlyLayouts(call.body.type);
      const names = limitedComponents(call.body.fullNames).map(String);
      return operationResponse('readMetadata', org.layouts.readXml(names));
    }
    case 'updateMetadata': {
      const items = components(call.body.metadata);
      for (const item of items) onlyLayouts(item['@_type']);
      return createMetadataResponse(
        items.map((item) => org.layouts.update(org.store.schema, item)),
        'updateMetadata',
      );
    }
    default:
      throw new SoapFault(
        'soapenv:Client',
        `No operation available for request {http://soap.sforce.com/2006/04/metadata}${call.operation}`,
      );
  }
}

/**
 * `POST /services/Soap/m/{version}`: the Metadata API's `createMetadata` for CustomObject and
 * CustomField, which is how the WhatsApp_Chat__c object gets deployed, and `listMetadata`,
 * `readMetadata` and `updateMetadata` for page layouts, which is how its related list gets onto them. The session travels in the
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
      try {
        return reply.type(XML).send(answer(org, call));
      } catch (error) {
        if (error instanceof SoapFault) return sendFault(reply, error);
        throw error;
      }
    });
  };
}

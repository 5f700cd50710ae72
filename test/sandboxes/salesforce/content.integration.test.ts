import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function multipartBody(boundary: string, entity: Record<string, unknown>, file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="entity_content"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(entity)}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="VersionData"; filename="IMG-0001.jpg"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

interface Part {
  name: string;
  filename?: string;
  contentType: string;
  data: Buffer | string;
}

/** A multipart body from parts, each with a filename only when given one. */
function multipartParts(boundary: string, parts: Part[]): Buffer {
  return Buffer.concat([
    ...parts.flatMap((part) => [
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}\r\nContent-Type: ${part.contentType}\r\n\r\n`,
      ),
      Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data),
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
}

describe('Salesforce sandbox: notes and files', () => {
  let h: SandboxHarness;
  let contact: string;
  beforeEach(async () => {
    h = await startSandbox();
    [contact = ''] = await h.seed('Contact', [{ LastName: 'Silva', Phone: '(11) 98765-4321' }]);
  });
  afterEach(() => h.close());

  it('creates a ContentNote and links it to the contact in one composite call with @{note.id}', async () => {
    const html = '<p>[09:00] Ana: Oi &amp; bom dia</p>\n<p>[09:01] Bruno: Olá</p>\n';
    const response = await h.api('POST', `${DATA}/composite`, {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: `${DATA}/sobjects/ContentNote`,
          referenceId: 'note',
          body: { Title: 'WhatsApp chat 2026-08-01', Content: base64(html) },
        },
        {
          method: 'POST',
          url: `${DATA}/sobjects/ContentDocumentLink`,
          referenceId: 'link',
          body: {
            ContentDocumentId: '@{note.id}',
            LinkedEntityId: contact,
            ShareType: 'V',
            Visibility: 'AllUsers',
          },
        },
      ],
    });
    expect(response.statusCode).toBe(200);
    const [note, link] = response.json().compositeResponse;
    expect(note).toMatchObject({ httpStatusCode: 201, referenceId: 'note', body: { success: true } });
    expect(note.body.id).toMatch(/^069/);
    expect(note.httpHeaders.Location).toBe(`${DATA}/sobjects/ContentNote/${note.body.id}`);
    expect(link).toMatchObject({ httpStatusCode: 201, referenceId: 'link' });
    expect(link.body.id).toMatch(/^06A/);

    const [stored] = await h.records('ContentNote');
    expect(stored).toMatchObject({ Id: note.body.id, Title: 'WhatsApp chat 2026-08-01', FileType: 'SNOTE' });
    expect(stored?.Content).toBe('<p>[09:00] Ana: Oi &amp; bom dia</p><p>[09:01] Bruno: Olá</p>');
    const links = await h.query(
      `SELECT ContentDocumentId, ContentDocument.Title, ShareType FROM ContentDocumentLink WHERE LinkedEntityId = '${contact}'`,
    );
    expect(links.json().records).toEqual([
      expect.objectContaining({
        ContentDocumentId: note.body.id,
        ShareType: 'V',
        ContentDocument: expect.objectContaining({ Title: 'WhatsApp chat 2026-08-01' }),
      }),
    ]);
    const body = await h.api('GET', `${DATA}/sobjects/ContentNote/${note.body.id}/Content`);
    expect(body.body).toBe(stored?.Content);
  });

  it('rolls the note back when the link fails under allOrNone, reporting PROCESSING_HALTED', async () => {
    const response = await h.api('POST', `${DATA}/composite`, {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: `${DATA}/sobjects/ContentNote`,
          referenceId: 'note',
          body: { Title: 'T', Content: base64('<p>x</p>') },
        },
        {
          method: 'POST',
          url: `${DATA}/sobjects/ContentDocumentLink`,
          referenceId: 'link',
          body: { ContentDocumentId: '@{note.id}' },
        },
      ],
    });
    const [note, link] = response.json().compositeResponse;
    expect(note).toMatchObject({ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] });
    expect(link).toMatchObject({
      httpStatusCode: 400,
      body: [{ errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LinkedEntityId'] }],
    });
    expect(await h.records('ContentNote')).toEqual([]);
    expect(await h.records('ContentDocument')).toEqual([]);
  });

  it('refuses a note whose plain text was not HTML-escaped', async () => {
    const response = await h.api('POST', `${DATA}/sobjects/ContentNote`, {
      Title: 'T',
      Content: base64('Tom & Jerry <3'),
    });
    expect(response.statusCode).toBe(400);
    expect(await h.records('ContentNote')).toEqual([]);
  });

  it('refuses &apos; and other named entities in a note, and takes numeric references and the XML ones', async () => {
    for (const html of ['<p>Tom&apos;s</p>', '<p>caf&eacute;</p>', '<p>a&nbsp;b</p>']) {
      const response = await h.api('POST', `${DATA}/sobjects/ContentNote`, {
        Title: 'T',
        Content: base64(html),
      });
      expect(response.statusCode, html).toBe(400);
      expect(response.json()[0]).toMatchObject({
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        fields: ['Content'],
      });
    }
    expect(await h.records('ContentNote')).toEqual([]);
    const accepted = await h.api('POST', `${DATA}/sobjects/ContentNote`, {
      Title: 'T',
      Content: base64('<p>Tom&#39;s &#34;x&#34; &quot;y&quot; &amp; &lt;b&gt; café</p>'),
    });
    expect(accepted.statusCode).toBe(201);
    const [note] = await h.records('ContentNote');
    expect(note?.TextPreview).toBe(`Tom's "x" "y" & <b> café`);
  });

  it('uploads a ContentVersion as multipart, publishes it to the record, and answers the ContentDocumentId query', async () => {
    const file = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x0d, 0x0a]);
    const boundary = 'boundary_wasync_1';
    const response = await h.sandbox.app.inject({
      method: 'POST',
      url: `${DATA}/sobjects/ContentVersion`,
      headers: { ...h.auth, 'content-type': `multipart/form-data; boundary="${boundary}"` },
      payload: multipartBody(
        boundary,
        {
          Title: 'IMG-0001.jpg',
          PathOnClient: 'IMG-0001.jpg',
          FirstPublishLocationId: contact,
          Description: 'WhatsApp media',
        },
        file,
      ),
    });
    expect(response.statusCode).toBe(201);
    const versionId = response.json().id;
    expect(versionId).toMatch(/^068/);
    const query = await h.query(`SELECT ContentDocumentId FROM ContentVersion WHERE Id = '${versionId}'`);
    const documentId = query.json().records[0].ContentDocumentId;
    expect(documentId).toMatch(/^069/);
    const links = await h.query(
      `SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '${documentId}'`,
    );
    expect(links.json().records.map((r: { LinkedEntityId: string }) => r.LinkedEntityId)).toContain(contact);
    const download = await h.api('GET', `${DATA}/sobjects/ContentVersion/${versionId}/VersionData`);
    expect(download.rawPayload.equals(file)).toBe(true);
    const [version] = await h.records('ContentVersion');
    expect(version).toMatchObject({
      FileType: 'JPG',
      FileExtension: 'jpg',
      ContentSize: file.length,
      IsLatest: true,
    });
  });

  it('refuses a JSON part with a filename, two binary parts, and a non-JSON fields part, storing nothing', async () => {
    const entity = JSON.stringify({ Title: 'a.pdf', PathOnClient: 'a.pdf', FirstPublishLocationId: contact });
    const file: Part = {
      name: 'VersionData',
      filename: 'a.pdf',
      contentType: 'application/pdf',
      data: '%PDF',
    };
    const upload = (parts: Part[]) =>
      h.sandbox.app.inject({
        method: 'POST',
        url: `${DATA}/sobjects/ContentVersion`,
        headers: { ...h.auth, 'content-type': 'multipart/form-data; boundary=b0' },
        payload: multipartParts('b0', parts),
      });
    const cases: [Part[], string][] = [
      // What Node's FormData sends for a Blob: every part with a filename, `blob` for the JSON one.
      [
        [{ name: 'entity_content', filename: 'blob', contentType: 'application/json', data: entity }, file],
        'Cannot include more than one binary part',
      ],
      [
        [
          { name: 'entity_content', contentType: 'application/json', data: entity },
          file,
          { ...file, name: 'x' },
        ],
        'Cannot include more than one binary part',
      ],
      [
        [{ name: 'entity_content', filename: 'blob', contentType: 'application/json', data: entity }],
        'Multipart message must include a non-binary part',
      ],
      [
        [{ name: 'entity_content', contentType: 'text/plain', data: entity }, file],
        "Non-binary part must be JSON or XML, was: 'text/plain'",
      ],
    ];
    for (const [parts, message] of cases) {
      const response = await upload(parts);
      expect(response.statusCode, message).toBe(400);
      expect(response.json()).toEqual([{ errorCode: 'INVALID_MULTIPART_REQUEST', message }]);
    }
    expect(await h.records('ContentVersion')).toEqual([]);
    const good = await upload([
      { name: 'entity_content', contentType: 'application/json', data: entity },
      file,
    ]);
    expect(good.statusCode).toBe(201);
  });

  it('accepts a ContentVersion as JSON with base64 VersionData and can link the document to a second record', async () => {
    const [lead] = await h.seed('Lead', [{ LastName: 'L', Company: 'C' }]);
    const created = await h.api('POST', `${DATA}/sobjects/ContentVersion`, {
      Title: 'chat.txt',
      PathOnClient: 'chat.txt',
      VersionData: base64('hello'),
      FirstPublishLocationId: contact,
    });
    expect(created.statusCode).toBe(201);
    const documentId = (
      await h.query(`SELECT ContentDocumentId FROM ContentVersion WHERE Id = '${created.json().id}'`)
    ).json().records[0].ContentDocumentId;
    const link = await h.api('POST', `${DATA}/sobjects/ContentDocumentLink`, {
      ContentDocumentId: documentId,
      LinkedEntityId: lead,
      ShareType: 'V',
    });
    expect(link.statusCode).toBe(201);
    const again = await h.api('POST', `${DATA}/sobjects/ContentDocumentLink`, {
      ContentDocumentId: documentId,
      LinkedEntityId: lead,
      ShareType: 'V',
    });
    expect(again.json()[0].errorCode).toBe('DUPLICATE_VALUE');
  });

  it('refuses an unfiltered ContentDocumentLink query, as an org does', async () => {
    const response = await h.query('SELECT Id FROM ContentDocumentLink');
    expect(response.statusCode).toBe(400);
    expect(response.json()[0].message).toContain(
      'Implementation restriction: ContentDocumentLink requires a filter',
    );
  });
});

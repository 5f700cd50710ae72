/**
 * The API's types, generated from its OpenAPI document by `npm run api-types` (openapi-typescript).
 * Do not edit: change the server's schemas and regenerate; a test fails when this file is stale.
 */

export interface paths {
    "/api/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List connected WhatsApp numbers */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Account"][];
                        };
                    };
                };
            };
        };
        put?: never;
        /** Connect a WhatsApp number */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateAccountInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One connected WhatsApp number, with its chat and message counts */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/cloud": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a Cloud API account's settings: rotate its access token or app secret
         * @description Admin only. Fields left out keep their value; the secrets are sealed again and never come back.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CloudAccountUpdateInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/access": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change who reads a number's chats: its owner, visibility and the people it is shared with
         * @description The number's owner or an admin. Fields left out keep their value; `sharedWith` replaces the list. It holds from the next request on, including for pages already open.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AccountAccessChangeInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/team": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The people on the team, to share a number with */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                id: string;
                                name: string;
                                email: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/pairing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Follow a pairing under way (the same events as starting it) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Server-sent events until `connected` or `failed`. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["PairingEvent"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Pair a linked-device account: stream QR codes (or a pairing code) until the phone confirms
         * @description text/event-stream. Events: `qr` ({qr, svg}; a new one about every 20 s), `code` ({code}), then `connected` ({me}) or `failed` ({code, reason}). The account must be of kind linked_device and not linked yet. Linking a WhatsApp account here uses WhatsApp’s linked-device protocol through an unofficial library (baileys), not Meta’s official API. WhatsApp’s terms do not allow unofficial clients, and WhatsApp can restrict or ban a number it finds using one, temporarily or for good. wasync only reads: it never sends a message, marks nothing as read and never shows you online, which lowers the risk but does not remove it. Link a number only if its owner accepts this risk.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["PairingInput"];
                };
            };
            responses: {
                /** @description Server-sent events until `connected` or `failed`. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["PairingEvent"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /**
         * Unlink a linked-device account: WhatsApp removes the device and its keys are forgotten
         * @description Messages already stored stay. Pairing again starts a new session (and a new history sync). `worker_unavailable` when no process running background work took the request in time.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/pairing/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a linked-device session that another copy replaced
         * @description A session whose state is `replaced` (WhatsApp closed it with 440 because another copy connected with the same keys) stays stopped: two copies taking the session in turn look like abuse. Once the other copy is stopped, this connects again from the stored keys, without pairing. `conflict` when the session is in any other state; `worker_unavailable` when no process running background work took the request in time.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Account"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Store a batch of up to 1000 messages and events
         * @description Idempotent on (account, item id): a re-sent item is counted under `duplicates` and changes nothing. A batch with any invalid item is refused whole with `batch_invalid`, naming each item; nothing is stored. The browser extension sends `X-Wasync-Client: extension`: such a batch is refused with `extension_capture_off` while the workspace's extensionCapture setting is off, and with `extension_capture_unsupported` into a number that is not a linked device or REST (its message ids would never match WhatsApp Web's).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["IngestBatchInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["IngestResult"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's latest imports queued in scale mode (20 at most), newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ImportStatus"][];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Import a WhatsApp "Export chat" file (.txt or .zip)
         * @description The body is the exported file itself (`application/zip` or `text/plain`). The whole file is checked before anything is stored; a bad file is refused with an `export_*` code and stores nothing. Message ids derive from the content, so importing the same export again, or a newer overlapping one, adds only what is new.
         *
         *     Embedded mode imports the file while the request waits and answers 200 with the summary. Scale mode (REDIS_URL) stores the upload and answers 202 with the queued import and a `Location` header: a worker imports it, and `GET /accounts/{accountId}/imports/{importId}` shows its state, then the summary or the error (a bad file ends `failed` with its `export_*` code).
         */
        post: {
            parameters: {
                query?: {
                    /** @description Phone of the other person of a 1:1 chat. */
                    chatWith?: string;
                    /** @description The account owner's name as the export writes it. */
                    me?: string;
                    /** @description Name of the chat; a group chat is keyed by it. */
                    chatName?: string;
                    /** @description The name of the uploaded file, which names the chat ("WhatsApp Chat with Ana.txt"). */
                    fileName?: string;
                    /** @description Time zone of the exporting phone (default: the workspace zone). */
                    tz?: string;
                    /** @description Date order when the file is ambiguous. */
                    dateOrder?: "dmy" | "mdy" | "ymd";
                    /** @description Send the imported history to the CRM whatever its age (default); `false` leaves it to the backfill window. */
                    toCrm?: "true" | "false";
                };
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ImportSummary"];
                    };
                };
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ImportStatus"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/imports/{importId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An import queued in scale mode: its state, then its summary or error
         * @description Poll it (every second or so) after a 202 from the upload until the state is `done` or `failed`.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                    importId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ImportStatus"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chats, most recent conversation first */
        get: {
            parameters: {
                query?: {
                    accountId?: string;
                    limit?: number;
                    cursor?: string;
                    /** @description Part of a chat's title or person's name, or digits of the number. */
                    q?: string;
                    /** @description Only chats in this state on a CRM connection (the one named, or any). */
                    crmState?: "in_crm" | "waiting" | "failed" | "not_in_crm" | "excluded";
                    /** @description With crmState: the connection. */
                    connectionId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ChatSummary"][];
                            /** @description Pass as `cursor` for the next page. */
                            nextCursor?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The chats of a person or group, found by their WhatsApp ids (the browser extension)
         * @description Each id in any WhatsApp spelling: a phone number (national spellings in the default region) or `…@s.whatsapp.net` / `@c.us` jid, a `…@lid`, a group `…@g.us`. Give `groupId` alone, or `phone` and/or `lid`; with both, the lid decides when it is known. Only chats the caller reads are answered; none (not captured yet, or not readable) is `chats: []` with the ids read.
         */
        get: {
            parameters: {
                query?: {
                    phone?: string;
                    lid?: string;
                    groupId?: string;
                    /** @description Only chats on this WhatsApp account. */
                    accountId?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ChatLookup"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One chat with its participants */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            accountId: string;
                            /** @enum {string} */
                            type: "direct" | "group";
                            /** @description Group title, or the partner name of a direct chat. */
                            title?: string;
                            partner?: components["schemas"]["Identity"];
                            groupId?: string;
                            /** @description ISO 8601, UTC */
                            createdAt: string;
                            /** @description ISO 8601, UTC */
                            lastMessageAt?: string;
                            /** @description In lists: the latest message (system notices aside). */
                            lastMessage?: {
                                /** @enum {string} */
                                type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                                text?: string;
                                fromMe: boolean;
                                /** @description ISO 8601, UTC */
                                at: string;
                                deleted: boolean;
                            };
                            /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
                            links?: {
                                connectionId: string;
                                identityId: string;
                                record: {
                                    type: components["schemas"]["RecordType"];
                                    id: string;
                                    name?: string;
                                };
                                /** @description ISO 8601, UTC */
                                lastSyncedAt?: string;
                            }[];
                            /** @description In lists: where the chat stands on each CRM connection. */
                            crm?: components["schemas"]["ChatCrmState"][];
                            participants: components["schemas"]["Identity"][];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/chats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Make sure a chat exists for a person or group, before any message (the browser extension)
         * @description So a CRM record can be created or linked for a chat not captured yet. Idempotent: the chat there already is answered with 200, a new one (without messages) with 201. An erased person is refused (`person_erased`); erased members of a group are left out of it.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        chat: components["schemas"]["ChatInput"];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            accountId: string;
                            /** @enum {string} */
                            type: "direct" | "group";
                            /** @description Group title, or the partner name of a direct chat. */
                            title?: string;
                            partner?: components["schemas"]["Identity"];
                            groupId?: string;
                            /** @description ISO 8601, UTC */
                            createdAt: string;
                            /** @description ISO 8601, UTC */
                            lastMessageAt?: string;
                            /** @description In lists: the latest message (system notices aside). */
                            lastMessage?: {
                                /** @enum {string} */
                                type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                                text?: string;
                                fromMe: boolean;
                                /** @description ISO 8601, UTC */
                                at: string;
                                deleted: boolean;
                            };
                            /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
                            links?: {
                                connectionId: string;
                                identityId: string;
                                record: {
                                    type: components["schemas"]["RecordType"];
                                    id: string;
                                    name?: string;
                                };
                                /** @description ISO 8601, UTC */
                                lastSyncedAt?: string;
                            }[];
                            /** @description In lists: where the chat stands on each CRM connection. */
                            crm?: components["schemas"]["ChatCrmState"][];
                            participants: components["schemas"]["Identity"][];
                        };
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            accountId: string;
                            /** @enum {string} */
                            type: "direct" | "group";
                            /** @description Group title, or the partner name of a direct chat. */
                            title?: string;
                            partner?: components["schemas"]["Identity"];
                            groupId?: string;
                            /** @description ISO 8601, UTC */
                            createdAt: string;
                            /** @description ISO 8601, UTC */
                            lastMessageAt?: string;
                            /** @description In lists: the latest message (system notices aside). */
                            lastMessage?: {
                                /** @enum {string} */
                                type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                                text?: string;
                                fromMe: boolean;
                                /** @description ISO 8601, UTC */
                                at: string;
                                deleted: boolean;
                            };
                            /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
                            links?: {
                                connectionId: string;
                                identityId: string;
                                record: {
                                    type: components["schemas"]["RecordType"];
                                    id: string;
                                    name?: string;
                                };
                                /** @description ISO 8601, UTC */
                                lastSyncedAt?: string;
                            }[];
                            /** @description In lists: where the chat stands on each CRM connection. */
                            crm?: components["schemas"]["ChatCrmState"][];
                            participants: components["schemas"]["Identity"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/exclusion": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Never back up this chat: exclude its person's number, or the group
         * @description Any reader of the chat may: it only narrows what is backed up (removing an exclusion stays with admins, `DELETE /exclusions/{exclusionId}`). A direct chat excludes the partner's number, a group the group chat. Idempotent: an exclusion there already is answered with 200, a new one with 201. A partner known only by a linked id (no number shared) is refused with `phone_not_shared`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Exclusion"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Exclusion"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/crm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the chat stands on each CRM connection: in CRM up to, waiting, failed, not in CRM, excluded */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ChatCrmState"][];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send older history: every message of the chat goes to its CRM records whatever its age, and so does history delivered later */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ChatCrmState"][];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A chat's messages in time order, with edits, deletions, reactions and media state */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                    cursor?: string;
                    order?: "asc" | "desc";
                };
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Message"][];
                            /** @description Pass as `cursor` for the next page. */
                            nextCursor?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/messages/{messageId}/media": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A message's media file, once downloaded (images, video and audio inline, others as a download) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                    messageId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description The file itself. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List API tokens (never their secrets) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ApiToken"][];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Create an API token */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        /**
                         * @default member
                         * @enum {string}
                         */
                        role?: "admin" | "member";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            /**
                             * @description The role it was made with; it acts with the lesser of this and its owner's role.
                             * @enum {string}
                             */
                            role: "admin" | "member";
                            /** @description The person it belongs to; absent only before the first admin signs up. */
                            owner?: {
                                id: string;
                                name: string;
                                email: string;
                            };
                            /** @description The first characters of the token, to recognise it. */
                            prefix: string;
                            createdAt: string;
                            lastUsedAt?: string;
                            revokedAt?: string;
                            token: string;
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API token */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tokenId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The signed-in person's own API tokens, revoked ones included (never their secrets)
         * @description Needs the session cookie: an API token is answered session_required.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ApiToken"][];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Create an API token of your own, for the browser extension (any role)
         * @description The token belongs to the signed-in person and has the member role, whatever their own: it reads and works with chats, never admin routes. Needs the session cookie and X-CSRF-Token: an API token is answered session_required, so a token cannot make more tokens.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description What to call it; "Browser extension" when absent. */
                        name?: string;
                    } | null;
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            /**
                             * @description The role it was made with; it acts with the lesser of this and its owner's role.
                             * @enum {string}
                             */
                            role: "admin" | "member";
                            /** @description The person it belongs to; absent only before the first admin signs up. */
                            owner?: {
                                id: string;
                                name: string;
                                email: string;
                            };
                            /** @description The first characters of the token, to recognise it. */
                            prefix: string;
                            createdAt: string;
                            lastUsedAt?: string;
                            revokedAt?: string;
                            token: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke an API token of your own
         * @description Another person's token, or one already revoked, is answered 404.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tokenId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where a browser starts (public): does the workspace need its first admin, who is signed in
         * @description The web app asks this first: it answers without an error whether or not the session cookie is good.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            needsFirstAdmin: boolean;
                            session?: components["schemas"]["Session"];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/setup/admin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create the workspace's first user, an admin, and sign in (public, once) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        name: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user and the CSRF token of the session */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Sign in with e-mail and password; sets the session cookie (public) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        email: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /** Sign out: ends the session and clears its cookie */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change the signed-in user's password; ends their other sessions */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        currentPassword: string;
                        newPassword: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The people of the workspace (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["User"][];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a person (admin): their sessions end and their API tokens are revoked */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Change a person's role (admin); the last admin stays admin */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    userId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        role: "admin" | "member";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["User"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/invites": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Open invites (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Invite"][];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Invite someone by e-mail (admin); answers the link to send them, shown once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** Format: email */
                        email: string;
                        /**
                         * @default member
                         * @enum {string}
                         */
                        role?: "admin" | "member";
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            invite: components["schemas"]["Invite"];
                            url: string;
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/invites/{inviteId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an open invite (admin) */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    inviteId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/invites/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What an invite link is for (public): the e-mail and role it gives */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    token: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Invite"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/invites/{token}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept an invite: choose a name and password, and sign in (public) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    token: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        password: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Session"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/crm-kinds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The kinds of CRM this server connects, with the form each one is connected with */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["CrmKind"][];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** CRM connections */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["CrmConnection"][];
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Connect a CRM (credentials are stored encrypted), and test it
         * @description The body is the kind's own: `kind` picks it (GET /crm-kinds lists the kinds). The connection is tested before the answer: one that cannot sign in (bad credentials, the CRM unreachable) is saved as needing attention (`state: parked`, with the CRM's reason), and the sync leaves it alone until a test passes. `test` says what the test found.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SalesforceConnectionInputInput"] | components["schemas"]["ZohoConnectionInputInput"] | components["schemas"]["Bitrix24ConnectionInputInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CrmConnectionSaved"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One CRM connection */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CrmConnection"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /**
         * Change a CRM connection (its whole body again, secrets included), and test it
         * @description The body is the kind's own, as POST /connections takes it; the kind stays. The connection is tested before the answer, as a new one is: one that still cannot sign in needs attention (`state: parked`), one that signs in is active again and its run is queued.
         */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SalesforceConnectionInputInput"] | components["schemas"]["ZohoConnectionInputInput"] | components["schemas"]["Bitrix24ConnectionInputInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CrmConnectionChanged"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        /** Delete a CRM connection */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Sign in and check the CRM is set up; answers the problems found
         * @description A connection that cannot sign in (bad credentials, the CRM unreachable) needs attention afterwards (`state: parked`, with the reason); one that needed attention and passes is active again, and a run is queued.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["CrmConnectionTest"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Prepare the CRM for wasync (Salesforce: the WhatsApp Chat object, access for the connection user, page layouts)
         * @description Safe to run again. `created` lists what this run created or changed, `existing` what was there already, `manualSteps` what a person must still do in the CRM (a page layout setup may not change).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            created: string[];
                            existing: string[];
                            manualSteps: string[];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/oauth/{kind}/app": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The CRM app wasync signs in with, and the callback URL to register in it */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    kind: "salesforce" | "zoho" | "bitrix24";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthApp"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /** Set the CRM app (client id and secret) admins sign in with; the secret is stored encrypted */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    kind: "salesforce" | "zoho" | "bitrix24";
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["OAuthAppCredentialsInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["OAuthApp"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        /** Remove the CRM app; connections made with it keep working */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    kind: "salesforce" | "zoho" | "bitrix24";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/oauth/{kind}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start signing in at the CRM: answers the authorize URL to send the browser to
         * @description Needs an admin's browser session (the CRM sends that browser back to the callback, which checks it). The sign-in must come back within 10 minutes, once.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    kind: "salesforce" | "zoho" | "bitrix24";
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SalesforceOAuthStartInput"] | components["schemas"]["ZohoOAuthStartInput"] | components["schemas"]["Bitrix24OAuthStartInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            authorizeUrl: string;
                            redirectUri: string;
                            expiresAt: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/oauth/{kind}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where the CRM sends the browser back after the sign-in (not for API clients)
         * @description Reached by the browser with the admin's session cookie; the `state` is the CSRF protection. Redirects to the workspace's Setup page with `oauth=connected&kind=<kind>&connection=<id>&name=<name>`, or `oauth=failed&code=<code>&message=<text>` (docs/errors.md, OAuth sign-in outcomes).
         */
        get: {
            parameters: {
                query?: {
                    code?: string;
                    state?: string;
                    error?: string;
                    error_description?: string;
                };
                header?: never;
                path: {
                    kind: "salesforce" | "zoho" | "bitrix24";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description To the Setup page, with the outcome. */
                302: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Sync status of a connection: last run, next run, chats and writes, what failed and why */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SyncStatus"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Sync now: queue a run at once (a parked connection is given another try) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["SyncJob"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/sync/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Try failed and refused writes again, in a run queued at once */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description Chats whose writes will be tried again. */
                            chats: number;
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** WhatsApp people linked to CRM records on this connection, with their last sync time */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["RecordLink"][];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/unmatched": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chats with no CRM record on this connection: create one or link one by hand */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                };
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["UnmatchedChat"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search the CRM for contacts and leads by name or number (for linking by hand) */
        get: {
            parameters: {
                query: {
                    /** @description A name, part of one, or a phone number in any spelling (national ones read in the workspace region). */
                    q: string;
                };
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["CrmRecord"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/connections/{connectionId}/records/{type}/{recordId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The mini-CRM card of a record: company, owner, email, lead status, open deals, notes */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    /** @description The connection id, or its name. */
                    connectionId: string;
                    type: components["schemas"]["RecordTypeInput"];
                    recordId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RecordCard"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/records": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The CRM records a chat's people are linked to, on every connection, with last sync time */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["ChatRecordLink"][];
                        };
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Create a contact or lead in the CRM from the chat's partner (in a group, the person named) and link it */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["NewRecordInputInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RecordLink"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Link the chat's partner (in a group, the person named) to an existing CRM record; overrides the automatic match */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["LinkInputInput"];
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["RecordLink"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /** Unlink the chat's partner (in a group, the person named) from their record on a connection */
        delete: {
            parameters: {
                query: {
                    /** @description The CRM connection, by id or name. */
                    connection: string;
                    /** @description Which person of the chat: required for a group chat; a direct chat's partner by default. */
                    identityId?: string;
                };
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/chats/{chatId}/links/match-again": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Match by phone again: the chat's partner (in a group, the person named), unlinked by hand, is looked up in the CRM at the next run */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    chatId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The CRM connection, by id or name. */
                        connection: string;
                        /** @description Which person of the chat: required for a group chat; a direct chat's partner by default. */
                        identityId?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live updates as server-sent events: messages stored or changed, sync runs finished
         * @description text/event-stream. Events: `messages` ({accountId, chatIds}; only of the numbers the reader reads) and `sync` ({connectionId, state, at, summary}).
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Server-sent events while the page is open. */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/event-stream": components["schemas"]["LiveEvent"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The workspace's settings */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WorkspaceSettings"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change settings (admin); null returns a setting to the server default
         * @description They take effect with the next sync run (realTime with the next stored message, extensionCapture with the next ingest request).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["WorkspaceSettingsChangeInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["WorkspaceSettings"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/exclusions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Numbers, groups and accounts whose chats are never backed up */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Exclusion"][];
                        };
                    };
                };
            };
        };
        put?: never;
        /**
         * Exclude a number, a group chat or a whole account from backups (admin)
         * @description From the next run on, nothing of it is written to any CRM; what was written before stays there.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @enum {string} */
                        kind: "phone" | "group" | "account";
                        /** @description A phone number in any spelling, a group chat id, or an account id. */
                        value: string;
                        label?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Exclusion"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/exclusions/{exclusionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Back up what an exclusion kept out again (admin), from the next run on */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    exclusionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/settings/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where alerts to admins go (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AlertSettings"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change where alerts go (admin)
         * @description An alert is sent once when a number stops capturing or a connection stops syncing, and once when that clears. The URL is checked like every outbound URL (https, or a host in WASYNC_OUTBOUND_ALLOW).
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AlertSettingsChangeInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AlertSettings"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/settings/alerts/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a test alert to each channel set (admin)
         * @description Answers the alerts as recorded, one per channel: `delivered` false with the `error` when the receiver did not take it.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Alert"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alerts sent to admins, newest first (admin) */
        get: {
            parameters: {
                query?: {
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Alert"][];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/health/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each CRM connection's health: needing attention, or its runs failing */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: {
                                id: string;
                                name: string;
                                health: components["schemas"]["Health"];
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who did what in the workspace, newest first (admin)
         * @description Kept for the workspace setting `auditRetentionDays` (default 365). A request made with an API token is counted as `token.used`, one event per token, route family (the tag of the route in this document) and hour.
         */
        get: {
            parameters: {
                query?: {
                    /** @description An action, or the start of one: `token` lists every token.* event. */
                    action?: string;
                    /** @description Events done by this person (also with their tokens). */
                    actorUserId?: string;
                    /** @description Events done with this API token. */
                    tokenId?: string;
                    /** @description From this time on (inclusive). */
                    since?: string;
                    /** @description Before this time (exclusive). */
                    until?: string;
                    limit?: number;
                    cursor?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["AuditEvent"][];
                            /** @description Pass as `cursor` for the next page. */
                            nextCursor?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/erasures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Erasures done, newest first (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Erasure"][];
                        };
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Erase a person by number (admin): their messages, media, identities and links; or a dry run
         * @description Removes in one transaction everything the store holds of the person and tombstones the number, so no source stores it again until an admin lifts the tombstone. The answer lists the CRM writes made from their chats; `POST /erasures/{id}/crm-deletions` deletes them. With `dryRun` nothing is written.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description The number in any spelling (the workspace region applies). */
                        phone: string;
                        dryRun?: boolean;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ErasurePreview"];
                    };
                };
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Erasure"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/erasures/{erasureId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One erasure with its CRM writes (admin) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    erasureId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Erasure"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/erasures/{erasureId}/crm-deletions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete in the CRMs the chat records, notes and files wasync wrote from the erased chats (admin)
         * @description Tries every listed or failed item again; each keeps its state (deleted, gone when the CRM no longer had it, failed with the CRM reason), so a retry deletes only what is left.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    erasureId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Erasure"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tombstones": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Tombstoned numbers (admin): erased people no source may store again
         * @description With `phone`, only the tombstone holding that number (the numbers themselves are kept only as keyed hashes).
         */
        get: {
            parameters: {
                query?: {
                    /** @description The number in any spelling (the workspace region applies). */
                    phone?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            data: components["schemas"]["Tombstone"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tombstones/{tombstoneId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Lift a tombstone (admin): the person may be captured again from now on */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    tombstoneId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/people/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Everything the store holds about a person, as a zip (admin; access requests)
         * @description person.json (identities, chats, messages with edits and reactions, record links) and the person's media files under media/. Direct chats come whole; of group chats only the person's own messages.
         */
        get: {
            parameters: {
                query: {
                    /** @description The number in any spelling (the workspace region applies). */
                    phone: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description application/zip */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": unknown;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/accounts/{accountId}/cloud/history-sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ask Meta for a coexistence number's chat history and contacts
         * @description Admin only. For a Cloud API number shared with the WhatsApp Business app (`cloud.coexistence`), within 24 hours of onboarding (`coexistence_window_closed` after). Each sync type can be asked of Meta once: asking again is refused by Meta (`coexistence_sync_refused`, code 2593107). Every attempt is recorded in `cloud.coexistence.requests`.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    accountId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CloudHistorySyncInput"] | null;
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            coexistence: components["schemas"]["CloudCoexistence"];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Bitrix24ConnectionInputInput: {
            /** @constant */
            kind: "bitrix24";
            name: string;
            /**
             * @description The portal's plan: Enterprise portals take 250 requests at once and 5 a second, others 50 and 2.
             * @default standard
             * @enum {string}
             */
            plan: "standard" | "enterprise";
            /**
             * @description Title of a lead created from a chat, before the person’s name: "WhatsApp: Ana Souza".
             * @default WhatsApp
             */
            leadTitle: string;
            /**
             * @description SOURCE_ID of contacts and leads created from a chat (a value of the portal's Source list); null for none.
             * @default null
             */
            sourceId: string | null;
            auth: {
                /** @constant */
                flow: "webhook";
                /**
                 * Format: uri
                 * @description The inbound webhook URL (Developer resources → Other → Inbound webhook), with the crm, disk and user scopes.
                 */
                webhookUrl: string;
            } | {
                /** @constant */
                flow: "oauth";
                /**
                 * Format: uri
                 * @description The portal: https://yourcompany.bitrix24.com
                 */
                portalUrl: string;
                /**
                 * Format: uri
                 * @description Where tokens are renewed: https://oauth.bitrix.info, or a sandbox.
                 * @default https://oauth.bitrix.info
                 */
                oauthServer: string;
                clientId: string;
                clientSecret: string;
                refreshToken: string;
            };
        };
        Bitrix24OAuthStartInput: {
            name: string;
            /**
             * Format: uri
             * @description The portal: https://yourcompany.bitrix24.com
             */
            portalUrl: string;
            /**
             * Format: uri
             * @description Where codes and tokens are redeemed: Bitrix24's https://oauth.bitrix.info, or a sandbox.
             * @default https://oauth.bitrix.info
             */
            oauthServer: string;
        };
        SalesforceConnectionInputInput: {
            /** @constant */
            kind: "salesforce";
            name: string;
            /**
             * Format: uri
             * @description Your My Domain URL (the only one the client credentials flow works on), https://login.salesforce.com, https://test.salesforce.com, or a sandbox URL.
             */
            loginUrl: string;
            /** @default 62.0 */
            apiVersion: string;
            /**
             * @description Lead Source of contacts and leads created from a chat; null for none. Left out where the org's picklist has no such value.
             * @default WhatsApp
             */
            leadSource: string | null;
            /**
             * @description Company of a lead created from a chat when none is given (Salesforce requires one).
             * @default Unknown (WhatsApp)
             */
            leadCompany: string;
            auth: {
                /** @constant */
                flow: "client_credentials";
                clientId: string;
                clientSecret: string;
            } | {
                /** @constant */
                flow: "refresh_token";
                clientId: string;
                clientSecret: string;
                refreshToken: string;
            } | {
                /** @constant */
                flow: "jwt_bearer";
                clientId: string;
                username: string;
                /** Format: includes */
                privateKeyPem: string;
                /**
                 * Format: uri
                 * @description The assertion's aud. Default: https://test.salesforce.com for a sandbox org's login URL, else https://login.salesforce.com; your My Domain URL for apps that require it.
                 */
                audience?: string;
            };
        };
        SalesforceOAuthStartInput: {
            name: string;
            /**
             * Format: uri
             * @description Where to sign in: https://login.salesforce.com (production), https://test.salesforce.com (a sandbox org), or your My Domain URL.
             */
            loginUrl: string;
        };
        ZohoConnectionInputInput: {
            /** @constant */
            kind: "zoho";
            name: string;
            /**
             * @description Where the org lives: the data centre of its Zoho account (the domain you sign in at).
             * @default us
             * @enum {string}
             */
            dataCentre: "us" | "eu" | "in" | "au" | "jp" | "ca" | "sa" | "cn" | "uk";
            /**
             * Format: uri
             * @description The accounts server, when not the data centre's own (a sandbox); the API domain comes from each token answer.
             */
            accountsUrl?: string;
            /**
             * @description The org's edition: it sets the API credits per day and the requests Zoho takes at once.
             * @default enterprise
             * @enum {string}
             */
            edition: "free" | "standard" | "professional" | "enterprise" | "ultimate";
            /**
             * @description User licenses, which add to the credits.
             * @default 1
             */
            licenses: number;
            /**
             * @description Company of a lead created from a chat when none is given.
             * @default WhatsApp
             */
            leadCompany: string;
            /**
             * @description Lead Source of contacts and leads created from a chat (a value of the org's picklist); null for none.
             * @default null
             */
            leadSource: string | null;
            auth: {
                /** @constant */
                flow: "refresh_token";
                clientId: string;
                clientSecret: string;
                refreshToken: string;
            };
        };
        ZohoOAuthStartInput: {
            name: string;
            /**
             * Format: uri
             * @description Where to sign in: the accounts server of your data centre (https://accounts.zoho.com, https://accounts.zoho.eu, …), or a Zoho sandbox's.
             */
            accountsUrl: string;
        };
        CloudAccountInputInput: {
            /** @description The number's id in Meta's WhatsApp Manager. */
            phoneNumberId: string;
            /** @description The WhatsApp Business Account id. */
            wabaId?: string;
            /** @description System-user access token; stored encrypted, never shown. */
            accessToken: string;
            /** @description The app's secret, which signs webhooks; stored encrypted. */
            appSecret: string;
            /** @description Token for Meta's webhook verify handshake; generated when not given. */
            verifyToken?: string;
            /**
             * Format: uri
             * @description Default https://graph.facebook.com. Admins only; must be that, or a host the server allow-lists (WASYNC_OUTBOUND_ALLOW).
             */
            graphBaseUrl?: string;
            /** @description Default v23.0. */
            apiVersion?: string;
            /** @description The number is shared with the WhatsApp Business app (coexistence). On creation wasync asks Meta to send its contacts and chat history (smb_app_data), which Meta takes only within 24 hours of onboarding. */
            coexistence?: {
                /**
                 * Format: date-time
                 * @description When the number was onboarded (Embedded Signup finished). Default: now.
                 */
                onboardedAt?: string;
            };
        };
        CloudAccountUpdateInput: {
            /** @description The number's id in Meta's WhatsApp Manager. */
            phoneNumberId?: string;
            /** @description The WhatsApp Business Account id. */
            wabaId?: string;
            /** @description System-user access token; stored encrypted, never shown. */
            accessToken?: string;
            /** @description The app's secret, which signs webhooks; stored encrypted. */
            appSecret?: string;
            /** @description Token for Meta's webhook verify handshake; generated when not given. */
            verifyToken?: string;
            /**
             * Format: uri
             * @description Default https://graph.facebook.com. Admins only; must be that, or a host the server allow-lists (WASYNC_OUTBOUND_ALLOW).
             */
            graphBaseUrl?: string;
            /** @description Default v23.0. */
            apiVersion?: string;
            /** @description The number is shared with the WhatsApp Business app (coexistence). On creation wasync asks Meta to send its contacts and chat history (smb_app_data), which Meta takes only within 24 hours of onboarding. */
            coexistence?: {
                /**
                 * Format: date-time
                 * @description When the number was onboarded (Embedded Signup finished). Default: now.
                 */
                onboardedAt?: string;
            };
        };
        ErrorInput: {
            error: {
                /** @description Stable machine-readable code; see docs/errors.md. */
                code: string;
                message: string;
                details?: {
                    [key: string]: unknown;
                };
                requestId: string;
            };
        };
        /** @enum {string} */
        RecordTypeInput: "contact" | "lead";
        IdentityInput: {
            id: string;
            phone?: string;
            waId?: string;
            lid?: string;
            userId?: string;
            username?: string;
            name?: string;
        };
        HealthInput: {
            /**
             * @description trouble: it stopped capturing (a number) or syncing (a connection); warning: something to look at.
             * @enum {string}
             */
            status: "ok" | "warning" | "trouble";
            /** @description Whether messages arrive: a linked device's connection, a Cloud API webhook not silent. Absent for REST and imports. */
            connected?: boolean;
            /** @description ISO 8601, UTC */
            lastMessageAt?: string;
            signs: {
                /** @description logged_out, replaced, banned, disconnected, not_paired, webhook_silent, webhook_never, webhook_signature_failing, media_failing; needs_attention, runs_failing (connections). */
                code: string;
                /** @enum {string} */
                level: "warning" | "trouble";
                message: string;
                /** @description ISO 8601, UTC */
                since?: string;
            }[];
        };
        CloudCoexistenceInput: {
            /** @description ISO 8601, UTC */
            onboardedAt: string;
            /** @description 24 hours after onboarding: Meta takes no sync request after it. */
            windowClosesAt: string;
            windowOpen: boolean;
            /** @description Per sync type (contacts, chat history); absent: not asked yet. */
            requests: {
                smb_app_state_sync?: {
                    /**
                     * @description requested: Meta accepted the request (requestId); failed: no attempt was accepted yet.
                     * @enum {string}
                     */
                    state: "requested" | "failed";
                    /** @description Meta's request id, for Meta support. */
                    requestId?: string;
                    /** @description ISO 8601, UTC */
                    requestedAt?: string;
                    /** @description ISO 8601, UTC */
                    lastAttemptAt: string;
                    /** @description The last attempt's error (kept beside an earlier accepted request). */
                    error?: string;
                    /** @description Meta's error code of the last attempt (2593107: asked already). */
                    errorCode?: string;
                };
                history?: {
                    /**
                     * @description requested: Meta accepted the request (requestId); failed: no attempt was accepted yet.
                     * @enum {string}
                     */
                    state: "requested" | "failed";
                    /** @description Meta's request id, for Meta support. */
                    requestId?: string;
                    /** @description ISO 8601, UTC */
                    requestedAt?: string;
                    /** @description ISO 8601, UTC */
                    lastAttemptAt: string;
                    /** @description The last attempt's error (kept beside an earlier accepted request). */
                    error?: string;
                    /** @description Meta's error code of the last attempt (2593107: asked already). */
                    errorCode?: string;
                };
            };
        };
        AccountInput: {
            id: string;
            phone: string;
            /** @enum {string} */
            sourceKind: "rest" | "whatsapp_cloud" | "linked_device" | "chat_export";
            displayName?: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            /** @description ISO 8601, UTC */
            lastMessageAt?: string;
            chats: number;
            messages: number;
            /** @description Who reads this number's chats. */
            access?: {
                /** @description Absent: given to no one (only admins read it). */
                owner?: {
                    id: string;
                    name: string;
                    email: string;
                    /** @description No longer on the team: reads nothing until someone changes the number. */
                    removed: boolean;
                };
                /**
                 * @description team: everyone on the team reads its chats; private: its owner, sharers and admins.
                 * @enum {string}
                 */
                visibility: "team" | "private";
                sharedWith: {
                    id: string;
                    name: string;
                    email: string;
                    /** @description No longer on the team: reads nothing until someone changes the number. */
                    removed: boolean;
                }[];
                /**
                 * @description Why you read its chats; none: you manage the number as an admin the workspace narrows, without reading it.
                 * @enum {string}
                 */
                yours: "owner" | "shared" | "team" | "admin" | "none";
                /** @description Whether you may change the owner, visibility and sharers. */
                canManage: boolean;
            };
            /** @description WhatsApp Cloud API settings and webhook health; secrets are never shown. */
            cloud?: {
                phoneNumberId: string;
                wabaId?: string;
                graphBaseUrl: string;
                apiVersion: string;
                /** @description This number's own URL: a per-number override of the callback URL (Meta's POST /{phone-number-id} with webhook_configuration), refusing changes for other numbers. */
                webhookUrl: string;
                /** @description The app-level callback URL for Meta's App Dashboard → WhatsApp → Configuration: every number of the app, each change routed to its account by phone_number_id. Any account's verify token passes its handshake. */
                appWebhookUrl: string;
                /** @description Paste next to the webhook URL. */
                verifyToken: string;
                /** @description When the last correctly signed webhook arrived. */
                lastDeliveryAt?: string;
                /** @description Webhooks refused because the signature did not match. */
                signatureFailures: number;
                /** @description ISO 8601, UTC */
                lastSignatureFailureAt?: string;
                deliveries: {
                    /** @description Received, not yet processed (or failing and being retried). */
                    pending: number;
                    processed: number;
                    lastError?: string;
                    /** @description Signed deliveries set aside for good, nothing stored: content no database can keep, or another number. */
                    parked: number;
                    lastParkedReason?: string;
                };
                /** @description Coexistence history received from `history` webhooks, per phase (0: day 0–1, 1: days 1–90, 2: days 90–180). */
                history: {
                    [key: string]: {
                        /** @description History chunks received of this phase. */
                        chunks: number;
                        /** @description Meta’s progress of the phase, 0 to 100 (100: done). */
                        progress: number;
                        /** @description Meta’s error, when the business declined sharing history. */
                        error?: unknown;
                    };
                };
                /** @description Present for a number shared with the WhatsApp Business app. */
                coexistence?: components["schemas"]["CloudCoexistenceInput"];
            };
            /** @description Linked-device session state and history sync progress. */
            linkedDevice?: {
                /**
                 * @description unpaired, pairing, connecting, connected, disconnected (reconnecting), banned (WhatsApp banned the number for a while: paused until pausedUntil), replaced (another copy took the session: stopped until wasync restarts) or logged_out.
                 * @enum {string}
                 */
                state: "unpaired" | "pairing" | "connecting" | "connected" | "disconnected" | "banned" | "replaced" | "logged_out";
                /** @description Why, in words: the cause of a disconnection, a failed pairing. */
                reason?: string;
                /** @description The library's code of the last disconnection. */
                statusCode?: number;
                /** @description When the session entered this state. */
                since: string;
                /** @description The linked device's WhatsApp id, once paired. */
                me?: string;
                /** @description ISO 8601, UTC */
                connectedAt?: string;
                /** @description When the session last received anything from WhatsApp. */
                lastEventAt?: string;
                /** @description Start of a disconnection whose missed history is still being asked of the phone. */
                gapSince?: string;
                /** @description While banned: the session connects again at this time. */
                pausedUntil?: string;
                /** @description History sync per phase (bootstrap, recent, full, on_demand, ...): chunks, messages, progress. */
                history: {
                    [key: string]: {
                        chunks: number;
                        messages: number;
                        progress: number;
                        complete: boolean;
                    };
                };
                /** @description Who accepted the risk of linking this account. */
                optedInBy?: string;
                /** @description ISO 8601, UTC */
                optedInAt?: string;
            };
            /** @description Connected or not, last message, and signs of trouble. */
            health?: components["schemas"]["HealthInput"];
        };
        ChatCrmStateInput: {
            connection: {
                id: string;
                name: string;
            };
            /**
             * @description in_crm: everything that goes to the CRM is there; waiting: the next run takes it; failed: some writes failed (tried again); not_in_crm: nobody of the chat has a record, or nothing is within what goes; excluded: never written.
             * @enum {string}
             */
            state: "in_crm" | "waiting" | "failed" | "not_in_crm" | "excluded";
            /** @description failed, not_in_crm, excluded: why. */
            reason?: string;
            /** @description in_crm: the latest message that is in the CRM. */
            upTo?: string;
            /** @description waiting: when the next run is due. */
            nextRunAt?: string;
            /** @description failed: when the writes are tried again. */
            retryAt?: string;
            /** @description When a run last wrote this chat's records. */
            lastSyncedAt?: string;
            /** @description For a chat whose people are linked: what of its history goes to the CRM. */
            history?: {
                /** @description Messages from this time on go to the CRM. */
                from: string;
                /** @description The first message that goes. */
                firstSentAt?: string;
                /** @description Messages older than `from`, not sent unless asked (POST /chats/{chatId}/history). */
                olderNotSent: number;
                /** @description The user asked for the chat's history (an import, Send older history). */
                asked: boolean;
            };
            /** @description People unlinked by hand on this connection: not matched by phone again until asked. */
            unlinked: {
                identityId: string;
                record: {
                    type: components["schemas"]["RecordTypeInput"];
                    id: string;
                    name?: string;
                };
                /** @description ISO 8601, UTC */
                at: string;
            }[];
        };
        ChatSummaryInput: {
            id: string;
            accountId: string;
            /** @enum {string} */
            type: "direct" | "group";
            /** @description Group title, or the partner name of a direct chat. */
            title?: string;
            partner?: components["schemas"]["IdentityInput"];
            groupId?: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            /** @description ISO 8601, UTC */
            lastMessageAt?: string;
            /** @description In lists: the latest message (system notices aside). */
            lastMessage?: {
                /** @enum {string} */
                type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                text?: string;
                fromMe: boolean;
                /** @description ISO 8601, UTC */
                at: string;
                deleted: boolean;
            };
            /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
            links?: {
                connectionId: string;
                identityId: string;
                record: {
                    type: components["schemas"]["RecordTypeInput"];
                    id: string;
                    name?: string;
                };
                /** @description ISO 8601, UTC */
                lastSyncedAt?: string;
            }[];
            /** @description In lists: where the chat stands on each CRM connection. */
            crm?: components["schemas"]["ChatCrmStateInput"][];
        };
        MessageInput: {
            id: string;
            sourceId: string;
            chatId: string;
            fromMe: boolean;
            senderId?: string;
            senderName?: string;
            /** @description ISO 8601, UTC */
            timestamp: string;
            /** @enum {string} */
            type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
            text?: string;
            replyTo?: string;
            /** @description ISO 8601, UTC */
            editedAt?: string;
            /** @description ISO 8601, UTC */
            deletedAt?: string;
            /** @description For messages sent from the account: sent, delivered, read, played or failed, and when. */
            delivery?: {
                status: string;
                /** @description ISO 8601, UTC */
                at: string;
            };
            details?: {
                [key: string]: unknown;
            };
            reactions: {
                emoji: string;
                fromMe: boolean;
                senderId?: string;
                /** @description ISO 8601, UTC */
                at: string;
            }[];
            media?: {
                /** @enum {string} */
                state: "stored" | "pending" | "failed";
                sha256?: string;
                mimeType?: string;
                size?: number;
                fileName?: string;
                failure?: string;
            };
        };
        RunSummaryInput: {
            /** @description ISO 8601, UTC */
            startedAt: string;
            /** @description ISO 8601, UTC */
            finishedAt: string;
            /** @description Chats looked at. */
            chats: number;
            /** @description Chats with at least one linked record. */
            matched: number;
            /** @description Chats with no CRM record (see the unmatched list). */
            unmatched: number;
            /** @description Links made by phone lookup in this run. */
            linksFound: number;
            /** @description Day transcripts created or updated in the CRM. */
            transcriptsWritten: number;
            /** @description Day transcripts unchanged since the last write. */
            transcriptsUnchanged: number;
            filesUploaded: number;
            /** @description Writes that failed and wait for a retry. */
            failed: number;
            /** @description Writes the CRM refused. */
            rejected: number;
            /** @description Writes of unknown outcome from an interrupted run, resolved. */
            recovered: number;
            /** @description Why the run stopped early, if it did. */
            stoppedBy?: string;
        };
        SyncJobInput: {
            connectionId: string;
            /** @description A process is syncing this connection right now. */
            running: boolean;
            /** @description When the running process's lease ends unless renewed. */
            runningUntil?: string;
            /** @description When the next run is due; absent while parked or none is queued. */
            nextRunAt?: string;
            /** @description Why that run was asked for (schedule, sync now, …). */
            nextRunReason?: string;
            /** @description Failed runs in a row. */
            attempts: number;
            /** @description Why the last run stopped, if it did. */
            lastError?: string;
            /** @description ISO 8601, UTC */
            lastStartedAt?: string;
            /** @description ISO 8601, UTC */
            lastFinishedAt?: string;
            /** @description ISO 8601, UTC */
            lastSuccessAt?: string;
            lastSummary?: components["schemas"]["RunSummaryInput"];
            /** @description The last run in one line, as `wasync sync --once` prints it. */
            lastSummaryText?: string;
        };
        SyncProblemInput: {
            /** @description The idempotency key of the write. */
            key: string;
            /** @enum {string} */
            kind: "transcript" | "file";
            chatId: string;
            record: {
                type: components["schemas"]["RecordTypeInput"];
                id: string;
            };
            /** @description The local day (YYYY-MM-DD) of a transcript. */
            day?: string;
            /** @description The message of a file. */
            messageId?: string;
            /**
             * @description failed: retried later; rejected: the CRM refused it; intent: outcome unknown.
             * @enum {string}
             */
            state: "intent" | "done" | "failed" | "rejected";
            attempts: number;
            lastError?: string;
            /** @description ISO 8601, UTC */
            nextAttemptAt?: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
        };
        SyncStatusInput: {
            connection: {
                id: string;
                name: string;
                kind: string;
                /** @enum {string} */
                state: "active" | "parked";
                /** @description What a person must fix before the sync goes on. */
                parkedReason?: string;
            };
            job: components["schemas"]["SyncJobInput"];
            /** @description The workspace's chats by their state on this connection, as the chat list shows them. */
            chats: {
                /** @description Everything that goes to the CRM is there. */
                inCrm: number;
                /** @description Changed since the last run, or never looked at: the next run takes them. */
                waiting: number;
                /** @description Some writes failed; they are tried again. */
                failed: number;
                /** @description Nobody of the chat has a record, or nothing of it is within what goes to the CRM. */
                notInCrm: number;
                /** @description Chats on the exclusion list: never written. */
                excluded: number;
            };
            /** @description CRM writes in the ledger by state. */
            writes: {
                done: number;
                intent: number;
                failed: number;
                rejected: number;
            };
            /** @description Writes not done, at most 50. */
            problems: components["schemas"]["SyncProblemInput"][];
        };
        RecordLinkInput: {
            id: string;
            connectionId: string;
            /** @description The WhatsApp person linked. */
            identity: {
                id: string;
                phone?: string;
                name?: string;
            };
            record: {
                type: components["schemas"]["RecordTypeInput"];
                id: string;
                name?: string;
            };
            /**
             * @description Found by phone, created from the chat, or linked by hand.
             * @enum {string}
             */
            linkedBy: "lookup" | "created" | "manual";
            /** @description ISO 8601, UTC */
            linkedAt: string;
            /** @description Messages from this time on go to the record. */
            backfillFrom: string;
            /** @description When the record last received this person’s chats. */
            lastSyncedAt?: string;
        };
        ChatRecordLinkInput: {
            id: string;
            connectionId: string;
            /** @description The WhatsApp person linked. */
            identity: {
                id: string;
                phone?: string;
                name?: string;
            };
            record: {
                type: components["schemas"]["RecordTypeInput"];
                id: string;
                name?: string;
            };
            /**
             * @description Found by phone, created from the chat, or linked by hand.
             * @enum {string}
             */
            linkedBy: "lookup" | "created" | "manual";
            /** @description ISO 8601, UTC */
            linkedAt: string;
            /** @description Messages from this time on go to the record. */
            backfillFrom: string;
            /** @description When the record last received this person’s chats. */
            lastSyncedAt?: string;
            connection: {
                id: string;
                name: string;
                kind: string;
            };
        };
        UnmatchedChatInput: {
            chat: components["schemas"]["ChatSummaryInput"];
            /** @description Why it is not in the CRM. */
            reason?: string;
            /** @description When a run last looked at it (none: nothing new within the backfill window). */
            checkedAt?: string;
            /** @description Its people are linked, but nothing of it is within what goes to the CRM. */
            linked: boolean;
            /** @description Messages older than what goes to the CRM. */
            olderNotSent: number;
            /** @description Its person was unlinked by hand: not matched by phone again until asked. */
            unlinkedByHand: boolean;
        };
        CrmRecordInput: {
            type: components["schemas"]["RecordTypeInput"];
            id: string;
            name: string;
            /** @description The phone fields as the CRM holds them. */
            phones: string[];
            /** @description Opens the record in the CRM. */
            url: string;
        };
        RecordCardInput: {
            type: components["schemas"]["RecordTypeInput"];
            id: string;
            name: string;
            /** @description The phone fields as the CRM holds them. */
            phones: string[];
            /** @description Opens the record in the CRM. */
            url: string;
            company?: string;
            owner?: string;
            email?: string;
            leadStatus?: string;
            openDeals: {
                id: string;
                name: string;
                stage?: string;
                amount?: number;
                url: string;
            }[];
            /** @description Newest first, at most five. */
            latestNotes: {
                id: string;
                title: string;
                excerpt: string;
                /** @description ISO 8601, UTC */
                createdAt: string;
            }[];
        };
        CreateAccountInput: {
            /** @description The WhatsApp number, in any spelling. */
            phone: string;
            /**
             * @description How its messages arrive. Default rest.
             * @enum {string}
             */
            sourceKind?: "rest" | "whatsapp_cloud" | "linked_device" | "chat_export";
            displayName?: string;
            /**
             * @description team: everyone on the team reads its chats; private: you, the people you share it with, and admins. Default private for linked_device and chat_export (a rep's own phone), team otherwise.
             * @enum {string}
             */
            visibility?: "team" | "private";
            /** @description Required when sourceKind is whatsapp_cloud. */
            cloud?: components["schemas"]["CloudAccountInputInput"];
        };
        AccountAccessChangeInput: {
            /** @description A person on the team; null (admins only) gives the number to no one. */
            ownerId?: string | null;
            /** @enum {string} */
            visibility?: "team" | "private";
            /** @description The whole list of people who read its chats besides the owner (replaces the list). */
            sharedWith?: string[];
        };
        AlertSettingsInput: {
            /** @description Alerts are POSTed here as JSON; none set: no alerts are sent. */
            webhookUrl?: string;
            /** @description Whether a secret is set: each alert then carries `X-Wasync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
            webhookSigned: boolean;
            /** @description The SMTP server alerts are e-mailed through to the workspace's admins; none set: no e-mail. */
            smtp?: {
                host: string;
                port: number;
                /** @description TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
                secure: boolean;
                user?: string;
                passwordSet: boolean;
                from: string;
            };
            /** @description Who the e-mail goes to: the workspace's admins. */
            recipients: string[];
        };
        AlertSettingsChangeInput: {
            /** @description null: stop sending alerts. */
            webhookUrl?: string | null;
            /** @description The signing secret (16 characters or more); null: send alerts unsigned. Never shown again. */
            webhookSecret?: string | null;
            /** @description Replaces the SMTP server whole; null: stop e-mailing alerts. */
            smtp?: {
                host: string;
                /** @default 587 */
                port: number;
                /** @default false */
                secure: boolean;
                user?: string;
                /** @description Left out: the stored one stays; null: none. Never shown again. */
                password?: string | null;
                /**
                 * Format: email
                 * @description The sender address.
                 */
                from: string;
            } | null;
        };
        AlertInput: {
            id: string;
            /** @enum {string} */
            event: "started" | "cleared" | "test";
            subject: {
                /** @enum {string} */
                type: "account" | "connection";
                id: string;
                /** @description The number (or its name), or the connection name. */
                label: string;
            };
            /** @description The health sign's code (see Health). */
            code: string;
            message: string;
            /** @enum {string} */
            channel: "webhook" | "email";
            /** @description Whether the receiver accepted it (a 2xx answer). */
            delivered: boolean;
            error?: string;
            sentAt: string;
            /** @description Tries so far. */
            attempts: number;
            /** @description When an alert not delivered is tried again (five more tries over about 4.5 h). */
            retryAt?: string;
        };
        AuditEventInput: {
            id: string;
            /** @description When it happened; for token.used, the first use in the hour. */
            occurredAt: string;
            actor: {
                /**
                 * @description anonymous: a sign-in attempt by nobody signed in.
                 * @enum {string}
                 */
                via: "session" | "token" | "cli" | "system" | "anonymous";
                userId?: string;
                tokenId?: string;
                /** @description Who it was, in words; kept after the person is removed. */
                label: string;
            };
            /** @description One of: session.sign_in, session.sign_in_failed, session.sign_out, session.password_changed, workspace.first_admin_created, workspace.settings_changed, invite.created, invite.revoked, invite.accepted, user.role_changed, user.removed, token.created, token.revoked, token.used, connection.created, connection.updated, connection.deleted, connection.tested, connection.setup_run, connection.sync_requested, connection.retry_requested, exclusion.added, exclusion.removed, account.created, account.updated, account.deleted, account.access_changed, import.started, pairing.started, pairing.unlinked, pairing.resumed, secret_key.rotated, person.erased, erasure.crm_deleted, person.exported, tombstone.lifted. */
            action: string;
            target?: {
                type: string;
                id?: string;
                label?: string;
            };
            /** @description What changed; never a password, token or credential. */
            details: {
                [key: string]: unknown;
            };
            clientAddress?: string;
            userAgent?: string;
            /** @description How many times: token.used counts the uses of a route family in its hour. */
            count: number;
        };
        PartyInput: string | {
            /** @description Any WhatsApp id form, as the string form above. */
            id?: string;
            /** @description A phone number in any spelling; national spellings use WASYNC_DEFAULT_REGION. */
            phone?: string;
            /** @description WhatsApp linked id, `<digits>@lid`. */
            lid?: string;
            /** @description Business-scoped user id, `US.1349…`. */
            userId?: string;
            parentUserId?: string;
            username?: string;
            /** @description Push name or address-book name. */
            name?: string;
        };
        TimestampInput: number | string;
        ChatInput: {
            /** @constant */
            type: "direct";
            /** @description The other person. */
            with: components["schemas"]["PartyInput"];
        } | {
            /** @constant */
            type: "group";
            /** @description The group id, e.g. 120363012345678901@g.us. */
            id: string;
            title?: string;
            participants?: components["schemas"]["PartyInput"][];
        };
        MediaInput: {
            /** @description The file bytes, base64-encoded. */
            base64: string;
            mimeType?: string;
            fileName?: string;
        } | {
            /**
             * Format: uri
             * @description wasync downloads it in the background, with retries.
             */
            url: string;
            mimeType?: string;
            fileName?: string;
        };
        MessageItemInput: {
            /**
             * @description Default.
             * @constant
             */
            kind?: "message";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["TimestampInput"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["PartyInput"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            chat: components["schemas"]["ChatInput"];
            /**
             * @description Default text.
             * @enum {string}
             */
            type?: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
            /** @description The text, or the caption of a media message. */
            text?: string;
            /** @description Source id of the message this one quotes. */
            replyTo?: string;
            media?: components["schemas"]["MediaInput"];
            location?: {
                latitude: number;
                longitude: number;
                name?: string;
                address?: string;
                url?: string;
            };
            contacts?: {
                name: string;
                phones?: string[];
                emails?: string[];
                organization?: string;
            }[];
            forwarded?: boolean;
        };
        EditItemInput: {
            /** @constant */
            kind: "edit";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["TimestampInput"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["PartyInput"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            target: string;
            text: string;
        };
        DeleteItemInput: {
            /** @constant */
            kind: "delete";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["TimestampInput"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["PartyInput"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            target: string;
        };
        ReactionItemInput: {
            /** @constant */
            kind: "reaction";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["TimestampInput"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["PartyInput"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            target: string;
            /** @description The emoji; an empty string removes the reaction. */
            emoji: string;
        };
        IngestBatchInput: {
            messages: (components["schemas"]["MessageItemInput"] | components["schemas"]["EditItemInput"] | components["schemas"]["DeleteItemInput"] | components["schemas"]["ReactionItemInput"])[];
        };
        IngestResultInput: {
            received: number;
            stored: {
                messages: number;
                events: number;
            };
            duplicates: {
                messages: number;
                events: number;
            };
            /** @description Left out, never stored: they involve a person who was erased (a tombstone holds the number). */
            dropped: {
                messages: number;
                events: number;
            };
        };
        ExclusionInput: {
            id: string;
            /** @enum {string} */
            kind: "phone" | "group" | "account";
            /** @description The number (E.164), the group chat id, or the account id. */
            value: string;
            label?: string;
            createdAt: string;
        };
        ChatLookupInput: {
            /** @description The chats of the person (direct) or group the caller reads, newest first, as the chat list has them. */
            chats: {
                id: string;
                accountId: string;
                /** @enum {string} */
                type: "direct" | "group";
                /** @description Group title, or the partner name of a direct chat. */
                title?: string;
                partner?: components["schemas"]["IdentityInput"];
                groupId?: string;
                /** @description ISO 8601, UTC */
                createdAt: string;
                /** @description ISO 8601, UTC */
                lastMessageAt?: string;
                /** @description In lists: the latest message (system notices aside). */
                lastMessage?: {
                    /** @enum {string} */
                    type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                    text?: string;
                    fromMe: boolean;
                    /** @description ISO 8601, UTC */
                    at: string;
                    deleted: boolean;
                };
                /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
                links?: {
                    connectionId: string;
                    identityId: string;
                    record: {
                        type: components["schemas"]["RecordTypeInput"];
                        id: string;
                        name?: string;
                    };
                    /** @description ISO 8601, UTC */
                    lastSyncedAt?: string;
                }[];
                /** @description In lists: where the chat stands on each CRM connection. */
                crm?: components["schemas"]["ChatCrmStateInput"][];
                participants: components["schemas"]["IdentityInput"][];
            }[];
            /** @description The person the ids name, when the caller reads a chat they are in (direct lookups). */
            person?: components["schemas"]["IdentityInput"];
            /** @description The ids asked for, normalised: what a chat not captured yet is known by. */
            keys: {
                /** @description E.164. */
                phone?: string;
                /** @description `<digits>@lid`. */
                lid?: string;
                groupId?: string;
            };
        };
        CrmConnectionTestInput: {
            /** @description Signed in, and everything wasync writes into is set up. */
            ok: boolean;
            problems: string[];
            /** @description wasync could not sign in at the CRM or reach it: the connection needs attention. */
            failure?: {
                /** @description The CRM's stable code (invalid_grant, NETWORK, …). */
                code: string;
                message: string;
            };
        };
        CrmFormFieldInput: {
            /** @description Where the value goes in the body; a dot names a nested field (auth.clientId). */
            name: string;
            label: string;
            /** @enum {string} */
            type: "text" | "url" | "password" | "select" | "textarea";
            required: boolean;
            /** @description Sealed at rest and never shown again. */
            secret: boolean;
            hint?: string;
            /** @description The hint while another field has the value. */
            hintWhen?: {
                field: string;
                value: string;
                hint: string;
            }[];
            options?: {
                value: string;
                label: string;
            }[];
            /** @description A select's last choice, whose value is typed in rather than picked. */
            other?: {
                label: string;
                /** @enum {string} */
                type: "text" | "url";
                placeholder?: string;
            };
            defaultValue?: string;
            placeholder?: string;
            pattern?: string;
            /** @description An empty value is sent as null rather than left out. */
            emptyAsNull?: boolean;
            /** @description Shown and sent only while another field has one of these values. */
            when?: {
                field: string;
                values: string[];
            };
        };
        CrmCapabilitiesInput: {
            /** @description Leads exist beside contacts. */
            leads: boolean;
            /** @description Open deals are shown on the card. */
            deals: boolean;
        };
        CrmFormInput: {
            /** @description What the CRM needs first; `backticks` mark code. */
            intro?: string;
            fields: components["schemas"]["CrmFormFieldInput"][];
        };
        CrmOAuthFormInput: {
            /** @description What the CRM's app needs, before the callback URL to register in it; `backticks` mark code. */
            appIntro: string;
            clientIdLabel: string;
            clientSecretLabel: string;
            /** @description The body of POST /oauth/{kind}/start. */
            start: components["schemas"]["CrmFormInput"];
        };
        CrmKindInput: {
            kind: string;
            displayName: string;
            capabilities: components["schemas"]["CrmCapabilitiesInput"];
            /** @description Present where the kind prepares the CRM (POST /connections/{id}/setup). */
            setup?: {
                label: string;
                description: string;
            };
            /** @description `wasync sandbox <name>` runs a local stand-in for it. */
            sandbox?: string;
            /** @description A person can connect it by signing in at the CRM. */
            oauth: boolean;
            /** @description Where `oauth` is: what the workspace asks for the app and for a sign-in. */
            oauthForm?: components["schemas"]["CrmOAuthFormInput"];
            form: components["schemas"]["CrmFormInput"];
        };
        /** @description One server-sent event: `type` is its event name, the rest its data (JSON). */
        LiveEventInput: {
            /** @constant */
            type: "messages";
            accountId: string;
            /** @description The chats whose messages were stored or changed. */
            chatIds: string[];
        } | {
            /** @constant */
            type: "sync";
            connectionId: string;
            /**
             * @description How the run ended.
             * @enum {string}
             */
            state: "done" | "retrying" | "parked" | "busy";
            at: string;
            /** @description What the run did, in the line `wasync sync --once` prints; absent when it did nothing. */
            summary?: string;
            /** @description The process that ran it (host:pid): in scale mode, which worker. */
            by?: string;
        };
        ImportSummaryInput: {
            accountId: string;
            chat: {
                /** @enum {string} */
                kind: "direct" | "group";
                key: string;
                title?: string;
            };
            /** @enum {string} */
            dateOrder: "dmy" | "mdy" | "ymd";
            dateOrderDetected: boolean;
            lines: number;
            messages: {
                total: number;
                new: number;
                existing: number;
                system: number;
                /** @description Left out: their author or chat partner was erased (tombstoned). */
                dropped: number;
            };
            media: {
                found: number;
                missing: number;
                omitted: number;
                tooLarge: number;
            };
            skipped: {
                total: number;
                reasons: {
                    [key: string]: number;
                };
            };
            authors: {
                me?: string;
                others: number;
            };
            /** @description The chat the messages are in. */
            chatId?: string;
            /** @description Whether the imported history goes to the CRM at the next sync, whatever its age. */
            toCrm: boolean;
        };
        ImportStatusInput: {
            id: string;
            accountId: string;
            /**
             * @description queued, then running on a worker, then done (with the summary) or failed (with the error).
             * @enum {string}
             */
            state: "queued" | "running" | "done" | "failed";
            fileName?: string;
            chatName?: string;
            /** @description The size of the upload. */
            sizeBytes: number;
            /** @description How far the running import is, as of its last heartbeat. */
            progress?: {
                /**
                 * @description scan: the text is checked; media: attachments are stored; import: messages are stored.
                 * @enum {string}
                 */
                phase: "scan" | "media" | "import";
                done: number;
                /** @description Bytes of chat text (scan, import) or media files (media). */
                total: number;
            };
            /** @description Once done: what was imported. */
            summary?: components["schemas"]["ImportSummaryInput"];
            /** @description Once failed: the error code (an `export_*` one for a bad file: nothing was stored) and message. */
            error?: {
                code: string;
                message: string;
            };
            createdAt: string;
            startedAt?: string;
            finishedAt?: string;
        };
        OAuthAppInput: {
            kind: string;
            configured: boolean;
            clientId?: string;
            updatedAt?: string;
            /** @description The callback URL to register in the CRM's app; null until WASYNC_PUBLIC_URL is set (or the request came over loopback). */
            redirectUri: string | null;
        };
        OAuthAppCredentialsInput: {
            /** @description The app's client id (Salesforce: the consumer key). */
            clientId: string;
            /** @description The app's client secret (Salesforce: the consumer secret); stored encrypted, never answered. */
            clientSecret: string;
        };
        PairingInput: {
            /**
             * @description qr: QR codes to scan under Linked devices; code: an 8-character code to type there instead.
             * @default qr
             * @enum {string}
             */
            method: "qr" | "code";
            /**
             * @description The account owner's opt-in. Linking a WhatsApp account here uses WhatsApp’s linked-device protocol through an unofficial library (baileys), not Meta’s official API. WhatsApp’s terms do not allow unofficial clients, and WhatsApp can restrict or ban a number it finds using one, temporarily or for good. wasync only reads: it never sends a message, marks nothing as read and never shows you online, which lowers the risk but does not remove it. Link a number only if its owner accepts this risk.
             * @constant
             */
            acceptRisk: true;
        };
        /** @description One server-sent event: `type` is its event name, the rest its data (JSON). */
        PairingEventInput: {
            /** @constant */
            type: "qr";
            /** @description The QR code's text; a new one about every 20 s. */
            qr: string;
            /** @description The QR code drawn as SVG. */
            svg: string;
        } | {
            /** @constant */
            type: "code";
            /** @description The 8-character code to type on the phone. */
            code: string;
        } | {
            /** @constant */
            type: "connected";
            /** @description The number now linked. */
            me: string;
        } | {
            /** @constant */
            type: "failed";
            /** @enum {string} */
            code: "pairing_timeout" | "logged_out" | "pairing_failed" | "stopped";
            reason: string;
        };
        UserInput: {
            id: string;
            email: string;
            name: string;
            /** @enum {string} */
            role: "admin" | "member";
            createdAt: string;
            lastSignInAt?: string;
        };
        SessionInput: {
            user: components["schemas"]["UserInput"];
            /** @description Send it as X-CSRF-Token with every change made through this session. */
            csrfToken: string;
            expiresAt: string;
        };
        InviteInput: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "admin" | "member";
            createdAt: string;
            expiresAt: string;
        };
        ErasureCountsInput: {
            identities: number;
            /** @description Direct chats with the person, removed with all their messages. */
            directChats: number;
            /** @description Group chats the person was in: they stay, without them. */
            groupChats: number;
            messages: number;
            /** @description Edits, deletions and reactions received as events. */
            events: number;
            reactions: number;
            media: number;
            /** @description Files deleted from disk (bytes no other message uses). */
            mediaFiles: number;
            recordLinks: number;
            syncLedgerRows: number;
            /** @description Stored Cloud API deliveries (processed) naming the person. */
            webhookDeliveries: number;
            /** @description Deliveries not processed yet that name the person: kept for the others in them; the tombstone leaves the person out. */
            webhookDeliveriesPending: number;
            /** @description Others' stored group payloads in which the person's number was blanked. */
            payloadsRedacted: number;
        };
        ErasureCrmWriteInput: {
            connectionId: string;
            connectionName: string;
            /** @enum {string} */
            kind: "chat_record" | "note" | "file";
            crmId: string;
            recordType: string;
            recordId: string;
            day?: string;
            /**
             * @description listed: not deleted yet; gone: the CRM no longer had it; failed: see errorCode and error.
             * @enum {string}
             */
            state: "listed" | "deleted" | "gone" | "failed";
            errorCode?: string;
            error?: string;
            attemptedAt?: string;
        };
        ErasureInput: {
            id: string;
            /** @description Country code and last two digits: the number itself is not kept. */
            phoneHint: string;
            requestedBy: string;
            requestedAt: string;
            removed: components["schemas"]["ErasureCountsInput"];
            crmWrites: components["schemas"]["ErasureCrmWriteInput"][];
        };
        ErasurePreviewInput: {
            /** @constant */
            dryRun: true;
            phone: string;
            phoneHint: string;
            removed: components["schemas"]["ErasureCountsInput"];
            crmWrites: components["schemas"]["ErasureCrmWriteInput"][];
            /** @description The number is tombstoned already. */
            tombstoned: boolean;
        };
        TombstoneInput: {
            id: string;
            erasureId?: string;
            phoneHint: string;
            createdAt: string;
        };
        WorkspaceSettingsInput: {
            /** @description How often each CRM connection is synced. */
            syncIntervalMinutes: number;
            /** @description Days of history sent when a CRM or a number is first linked. */
            backfillDays: number;
            /** @description Days of transcripts and chat-export times are read in this zone. */
            timeZone: string;
            /** @description Country of numbers written without one (ISO 3166). */
            defaultRegion?: string;
            /** @description Whether admins read every number's chats (default), or only those a member could: numbers they own, that are shared with them, or the team reads. Admins manage every number either way. */
            adminsSeeAllChats: boolean;
            /** @description Days the audit log keeps an event; older ones are deleted (admins read the log). */
            auditRetentionDays: number;
            /** @description Near-real-time sync (default on): a stored message asks for a run of the connections its chat reaches within seconds, bursts coalesced and the CRM budget kept; the interval stays as the safety net. */
            realTime: boolean;
            /** @description Capture from the browser extension (default off): the REST ingest takes the messages of the chats open in WhatsApp Web that the extension posts (header X-Wasync-Client: extension), into linked-device and REST numbers; off, it refuses them (extension_capture_off). */
            extensionCapture: boolean;
            /** @description The server's configured values, which apply where the workspace sets none. */
            defaults: {
                syncIntervalMinutes: number;
                backfillDays: number;
                auditRetentionDays: number;
            };
            /** @description Media storage and the import limits (server configuration). */
            storage: {
                /** @description Bytes of media the workspace holds, each file counted once. */
                usedBytes: number;
                /** @description WASYNC_STORAGE_QUOTA: an import that would pass it is refused (storage_quota_exceeded). */
                quotaBytes?: number;
                /** @description Bytes of media one chat-export import may store. */
                importMaxMediaBytes: number;
                /** @description Media files one chat-export import may store. */
                importMaxMediaFiles: number;
            };
        };
        WorkspaceSettingsChangeInput: {
            syncIntervalMinutes?: number | null;
            backfillDays?: number | null;
            timeZone?: string;
            defaultRegion?: string | null;
            adminsSeeAllChats?: boolean;
            auditRetentionDays?: number | null;
            realTime?: boolean;
            extensionCapture?: boolean;
        };
        LinkInputInput: {
            /** @description The CRM connection, by id or name. */
            connection: string;
            record: {
                type: components["schemas"]["RecordTypeInput"];
                /** @description The CRM's record id. */
                id: string;
            };
            /** @description Which person of the chat: required for a group chat; a direct chat's partner by default. */
            identityId?: string;
        };
        NewRecordInputInput: {
            /** @description The CRM connection, by id or name. */
            connection: string;
            type: components["schemas"]["RecordTypeInput"];
            /** @description Defaults to the person's WhatsApp name, or their number. */
            name?: string;
            /** @description For a lead; the CRM gets a placeholder when absent. */
            company?: string;
            /** @description The record's number, in any spelling (national ones read with the workspace's region). Defaults to the person's; required when WhatsApp has shared only their linked id. The chat is linked to the new record whatever its number. */
            phone?: string;
            /** @description Which person of the chat: required for a group chat; a direct chat's partner by default. */
            identityId?: string;
        };
        ApiTokenInput: {
            id: string;
            name: string;
            /**
             * @description The role it was made with; it acts with the lesser of this and its owner's role.
             * @enum {string}
             */
            role: "admin" | "member";
            /** @description The person it belongs to; absent only before the first admin signs up. */
            owner?: {
                id: string;
                name: string;
                email: string;
            };
            /** @description The first characters of the token, to recognise it. */
            prefix: string;
            createdAt: string;
            lastUsedAt?: string;
            revokedAt?: string;
        };
        CloudHistorySyncInput: {
            /** @description Which to ask: smb_app_state_sync (contacts), history (chats). Default: those not accepted yet. */
            syncTypes?: ("smb_app_state_sync" | "history")[];
        };
        CrmConnectionInput: {
            id: string;
            /** @enum {string} */
            kind: "salesforce" | "zoho" | "bitrix24";
            name: string;
            /** @description Base URLs, API version, client id, sign-in flow. Never a secret. */
            settings: {
                [key: string]: unknown;
            };
            /** @description The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow). */
            summary?: string;
            /**
             * @description parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.
             * @enum {string}
             */
            state: "active" | "parked";
            /** @description What needs attention, in the CRM's words, ending with its stable code in brackets. */
            parkedReason?: string;
            createdAt: string;
        };
        CrmConnectionSavedInput: {
            id: string;
            /** @enum {string} */
            kind: "salesforce" | "zoho" | "bitrix24";
            name: string;
            /** @description Base URLs, API version, client id, sign-in flow. Never a secret. */
            settings: {
                [key: string]: unknown;
            };
            /** @description The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow). */
            summary?: string;
            /**
             * @description parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.
             * @enum {string}
             */
            state: "active" | "parked";
            /** @description What needs attention, in the CRM's words, ending with its stable code in brackets. */
            parkedReason?: string;
            createdAt: string;
            test: components["schemas"]["CrmConnectionTestInput"];
        };
        CrmConnectionChangedInput: {
            id: string;
            /** @enum {string} */
            kind: "salesforce" | "zoho" | "bitrix24";
            name: string;
            /** @description Base URLs, API version, client id, sign-in flow. Never a secret. */
            settings: {
                [key: string]: unknown;
            };
            /** @description The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow). */
            summary?: string;
            /**
             * @description parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.
             * @enum {string}
             */
            state: "active" | "parked";
            /** @description What needs attention, in the CRM's words, ending with its stable code in brackets. */
            parkedReason?: string;
            createdAt: string;
            test: components["schemas"]["CrmConnectionTestInput"];
        };
        Bitrix24ConnectionInput: {
            /** @constant */
            kind: "bitrix24";
            name: string;
            /**
             * @description The portal's plan: Enterprise portals take 250 requests at once and 5 a second, others 50 and 2.
             * @default standard
             * @enum {string}
             */
            plan: "standard" | "enterprise";
            /**
             * @description Title of a lead created from a chat, before the person’s name: "WhatsApp: Ana Souza".
             * @default WhatsApp
             */
            leadTitle: string;
            /**
             * @description SOURCE_ID of contacts and leads created from a chat (a value of the portal's Source list); null for none.
             * @default null
             */
            sourceId: string | null;
            auth: {
                /** @constant */
                flow: "webhook";
                /**
                 * Format: uri
                 * @description The inbound webhook URL (Developer resources → Other → Inbound webhook), with the crm, disk and user scopes.
                 */
                webhookUrl: string;
            } | {
                /** @constant */
                flow: "oauth";
                /**
                 * Format: uri
                 * @description The portal: https://yourcompany.bitrix24.com
                 */
                portalUrl: string;
                /**
                 * Format: uri
                 * @description Where tokens are renewed: https://oauth.bitrix.info, or a sandbox.
                 * @default https://oauth.bitrix.info
                 */
                oauthServer: string;
                clientId: string;
                clientSecret: string;
                refreshToken: string;
            };
        };
        Bitrix24OAuthStart: {
            name: string;
            /**
             * Format: uri
             * @description The portal: https://yourcompany.bitrix24.com
             */
            portalUrl: string;
            /**
             * Format: uri
             * @description Where codes and tokens are redeemed: Bitrix24's https://oauth.bitrix.info, or a sandbox.
             * @default https://oauth.bitrix.info
             */
            oauthServer: string;
        };
        SalesforceConnectionInput: {
            /** @constant */
            kind: "salesforce";
            name: string;
            /**
             * Format: uri
             * @description Your My Domain URL (the only one the client credentials flow works on), https://login.salesforce.com, https://test.salesforce.com, or a sandbox URL.
             */
            loginUrl: string;
            /** @default 62.0 */
            apiVersion: string;
            /**
             * @description Lead Source of contacts and leads created from a chat; null for none. Left out where the org's picklist has no such value.
             * @default WhatsApp
             */
            leadSource: string | null;
            /**
             * @description Company of a lead created from a chat when none is given (Salesforce requires one).
             * @default Unknown (WhatsApp)
             */
            leadCompany: string;
            auth: {
                /** @constant */
                flow: "client_credentials";
                clientId: string;
                clientSecret: string;
            } | {
                /** @constant */
                flow: "refresh_token";
                clientId: string;
                clientSecret: string;
                refreshToken: string;
            } | {
                /** @constant */
                flow: "jwt_bearer";
                clientId: string;
                username: string;
                /** Format: includes */
                privateKeyPem: string;
                /**
                 * Format: uri
                 * @description The assertion's aud. Default: https://test.salesforce.com for a sandbox org's login URL, else https://login.salesforce.com; your My Domain URL for apps that require it.
                 */
                audience?: string;
            };
        };
        SalesforceOAuthStart: {
            name: string;
            /**
             * Format: uri
             * @description Where to sign in: https://login.salesforce.com (production), https://test.salesforce.com (a sandbox org), or your My Domain URL.
             */
            loginUrl: string;
        };
        ZohoConnectionInput: {
            /** @constant */
            kind: "zoho";
            name: string;
            /**
             * @description Where the org lives: the data centre of its Zoho account (the domain you sign in at).
             * @default us
             * @enum {string}
             */
            dataCentre: "us" | "eu" | "in" | "au" | "jp" | "ca" | "sa" | "cn" | "uk";
            /**
             * Format: uri
             * @description The accounts server, when not the data centre's own (a sandbox); the API domain comes from each token answer.
             */
            accountsUrl?: string;
            /**
             * @description The org's edition: it sets the API credits per day and the requests Zoho takes at once.
             * @default enterprise
             * @enum {string}
             */
            edition: "free" | "standard" | "professional" | "enterprise" | "ultimate";
            /**
             * @description User licenses, which add to the credits.
             * @default 1
             */
            licenses: number;
            /**
             * @description Company of a lead created from a chat when none is given.
             * @default WhatsApp
             */
            leadCompany: string;
            /**
             * @description Lead Source of contacts and leads created from a chat (a value of the org's picklist); null for none.
             * @default null
             */
            leadSource: string | null;
            auth: {
                /** @constant */
                flow: "refresh_token";
                clientId: string;
                clientSecret: string;
                refreshToken: string;
            };
        };
        ZohoOAuthStart: {
            name: string;
            /**
             * Format: uri
             * @description Where to sign in: the accounts server of your data centre (https://accounts.zoho.com, https://accounts.zoho.eu, …), or a Zoho sandbox's.
             */
            accountsUrl: string;
        };
        CloudAccountInput: {
            /** @description The number's id in Meta's WhatsApp Manager. */
            phoneNumberId: string;
            /** @description The WhatsApp Business Account id. */
            wabaId?: string;
            /** @description System-user access token; stored encrypted, never shown. */
            accessToken: string;
            /** @description The app's secret, which signs webhooks; stored encrypted. */
            appSecret: string;
            /** @description Token for Meta's webhook verify handshake; generated when not given. */
            verifyToken?: string;
            /**
             * Format: uri
             * @description Default https://graph.facebook.com. Admins only; must be that, or a host the server allow-lists (WASYNC_OUTBOUND_ALLOW).
             */
            graphBaseUrl?: string;
            /** @description Default v23.0. */
            apiVersion?: string;
            /** @description The number is shared with the WhatsApp Business app (coexistence). On creation wasync asks Meta to send its contacts and chat history (smb_app_data), which Meta takes only within 24 hours of onboarding. */
            coexistence?: {
                /**
                 * Format: date-time
                 * @description When the number was onboarded (Embedded Signup finished). Default: now.
                 */
                onboardedAt?: string;
            };
        };
        CloudAccountUpdate: {
            /** @description The number's id in Meta's WhatsApp Manager. */
            phoneNumberId?: string;
            /** @description The WhatsApp Business Account id. */
            wabaId?: string;
            /** @description System-user access token; stored encrypted, never shown. */
            accessToken?: string;
            /** @description The app's secret, which signs webhooks; stored encrypted. */
            appSecret?: string;
            /** @description Token for Meta's webhook verify handshake; generated when not given. */
            verifyToken?: string;
            /**
             * Format: uri
             * @description Default https://graph.facebook.com. Admins only; must be that, or a host the server allow-lists (WASYNC_OUTBOUND_ALLOW).
             */
            graphBaseUrl?: string;
            /** @description Default v23.0. */
            apiVersion?: string;
            /** @description The number is shared with the WhatsApp Business app (coexistence). On creation wasync asks Meta to send its contacts and chat history (smb_app_data), which Meta takes only within 24 hours of onboarding. */
            coexistence?: {
                /**
                 * Format: date-time
                 * @description When the number was onboarded (Embedded Signup finished). Default: now.
                 */
                onboardedAt?: string;
            };
        };
        Error: {
            error: {
                /** @description Stable machine-readable code; see docs/errors.md. */
                code: string;
                message: string;
                details?: {
                    [key: string]: unknown;
                };
                requestId: string;
            };
        };
        /** @enum {string} */
        RecordType: "contact" | "lead";
        Identity: {
            id: string;
            phone?: string;
            waId?: string;
            lid?: string;
            userId?: string;
            username?: string;
            name?: string;
        };
        Health: {
            /**
             * @description trouble: it stopped capturing (a number) or syncing (a connection); warning: something to look at.
             * @enum {string}
             */
            status: "ok" | "warning" | "trouble";
            /** @description Whether messages arrive: a linked device's connection, a Cloud API webhook not silent. Absent for REST and imports. */
            connected?: boolean;
            /** @description ISO 8601, UTC */
            lastMessageAt?: string;
            signs: {
                /** @description logged_out, replaced, banned, disconnected, not_paired, webhook_silent, webhook_never, webhook_signature_failing, media_failing; needs_attention, runs_failing (connections). */
                code: string;
                /** @enum {string} */
                level: "warning" | "trouble";
                message: string;
                /** @description ISO 8601, UTC */
                since?: string;
            }[];
        };
        CloudCoexistence: {
            /** @description ISO 8601, UTC */
            onboardedAt: string;
            /** @description 24 hours after onboarding: Meta takes no sync request after it. */
            windowClosesAt: string;
            windowOpen: boolean;
            /** @description Per sync type (contacts, chat history); absent: not asked yet. */
            requests: {
                smb_app_state_sync?: {
                    /**
                     * @description requested: Meta accepted the request (requestId); failed: no attempt was accepted yet.
                     * @enum {string}
                     */
                    state: "requested" | "failed";
                    /** @description Meta's request id, for Meta support. */
                    requestId?: string;
                    /** @description ISO 8601, UTC */
                    requestedAt?: string;
                    /** @description ISO 8601, UTC */
                    lastAttemptAt: string;
                    /** @description The last attempt's error (kept beside an earlier accepted request). */
                    error?: string;
                    /** @description Meta's error code of the last attempt (2593107: asked already). */
                    errorCode?: string;
                };
                history?: {
                    /**
                     * @description requested: Meta accepted the request (requestId); failed: no attempt was accepted yet.
                     * @enum {string}
                     */
                    state: "requested" | "failed";
                    /** @description Meta's request id, for Meta support. */
                    requestId?: string;
                    /** @description ISO 8601, UTC */
                    requestedAt?: string;
                    /** @description ISO 8601, UTC */
                    lastAttemptAt: string;
                    /** @description The last attempt's error (kept beside an earlier accepted request). */
                    error?: string;
                    /** @description Meta's error code of the last attempt (2593107: asked already). */
                    errorCode?: string;
                };
            };
        };
        Account: {
            id: string;
            phone: string;
            /** @enum {string} */
            sourceKind: "rest" | "whatsapp_cloud" | "linked_device" | "chat_export";
            displayName?: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            /** @description ISO 8601, UTC */
            lastMessageAt?: string;
            chats: number;
            messages: number;
            /** @description Who reads this number's chats. */
            access?: {
                /** @description Absent: given to no one (only admins read it). */
                owner?: {
                    id: string;
                    name: string;
                    email: string;
                    /** @description No longer on the team: reads nothing until someone changes the number. */
                    removed: boolean;
                };
                /**
                 * @description team: everyone on the team reads its chats; private: its owner, sharers and admins.
                 * @enum {string}
                 */
                visibility: "team" | "private";
                sharedWith: {
                    id: string;
                    name: string;
                    email: string;
                    /** @description No longer on the team: reads nothing until someone changes the number. */
                    removed: boolean;
                }[];
                /**
                 * @description Why you read its chats; none: you manage the number as an admin the workspace narrows, without reading it.
                 * @enum {string}
                 */
                yours: "owner" | "shared" | "team" | "admin" | "none";
                /** @description Whether you may change the owner, visibility and sharers. */
                canManage: boolean;
            };
            /** @description WhatsApp Cloud API settings and webhook health; secrets are never shown. */
            cloud?: {
                phoneNumberId: string;
                wabaId?: string;
                graphBaseUrl: string;
                apiVersion: string;
                /** @description This number's own URL: a per-number override of the callback URL (Meta's POST /{phone-number-id} with webhook_configuration), refusing changes for other numbers. */
                webhookUrl: string;
                /** @description The app-level callback URL for Meta's App Dashboard → WhatsApp → Configuration: every number of the app, each change routed to its account by phone_number_id. Any account's verify token passes its handshake. */
                appWebhookUrl: string;
                /** @description Paste next to the webhook URL. */
                verifyToken: string;
                /** @description When the last correctly signed webhook arrived. */
                lastDeliveryAt?: string;
                /** @description Webhooks refused because the signature did not match. */
                signatureFailures: number;
                /** @description ISO 8601, UTC */
                lastSignatureFailureAt?: string;
                deliveries: {
                    /** @description Received, not yet processed (or failing and being retried). */
                    pending: number;
                    processed: number;
                    lastError?: string;
                    /** @description Signed deliveries set aside for good, nothing stored: content no database can keep, or another number. */
                    parked: number;
                    lastParkedReason?: string;
                };
                /** @description Coexistence history received from `history` webhooks, per phase (0: day 0–1, 1: days 1–90, 2: days 90–180). */
                history: {
                    [key: string]: {
                        /** @description History chunks received of this phase. */
                        chunks: number;
                        /** @description Meta’s progress of the phase, 0 to 100 (100: done). */
                        progress: number;
                        /** @description Meta’s error, when the business declined sharing history. */
                        error?: unknown;
                    };
                };
                /** @description Present for a number shared with the WhatsApp Business app. */
                coexistence?: components["schemas"]["CloudCoexistence"];
            };
            /** @description Linked-device session state and history sync progress. */
            linkedDevice?: {
                /**
                 * @description unpaired, pairing, connecting, connected, disconnected (reconnecting), banned (WhatsApp banned the number for a while: paused until pausedUntil), replaced (another copy took the session: stopped until wasync restarts) or logged_out.
                 * @enum {string}
                 */
                state: "unpaired" | "pairing" | "connecting" | "connected" | "disconnected" | "banned" | "replaced" | "logged_out";
                /** @description Why, in words: the cause of a disconnection, a failed pairing. */
                reason?: string;
                /** @description The library's code of the last disconnection. */
                statusCode?: number;
                /** @description When the session entered this state. */
                since: string;
                /** @description The linked device's WhatsApp id, once paired. */
                me?: string;
                /** @description ISO 8601, UTC */
                connectedAt?: string;
                /** @description When the session last received anything from WhatsApp. */
                lastEventAt?: string;
                /** @description Start of a disconnection whose missed history is still being asked of the phone. */
                gapSince?: string;
                /** @description While banned: the session connects again at this time. */
                pausedUntil?: string;
                /** @description History sync per phase (bootstrap, recent, full, on_demand, ...): chunks, messages, progress. */
                history: {
                    [key: string]: {
                        chunks: number;
                        messages: number;
                        progress: number;
                        complete: boolean;
                    };
                };
                /** @description Who accepted the risk of linking this account. */
                optedInBy?: string;
                /** @description ISO 8601, UTC */
                optedInAt?: string;
            };
            /** @description Connected or not, last message, and signs of trouble. */
            health?: components["schemas"]["Health"];
        };
        ChatCrmState: {
            connection: {
                id: string;
                name: string;
            };
            /**
             * @description in_crm: everything that goes to the CRM is there; waiting: the next run takes it; failed: some writes failed (tried again); not_in_crm: nobody of the chat has a record, or nothing is within what goes; excluded: never written.
             * @enum {string}
             */
            state: "in_crm" | "waiting" | "failed" | "not_in_crm" | "excluded";
            /** @description failed, not_in_crm, excluded: why. */
            reason?: string;
            /** @description in_crm: the latest message that is in the CRM. */
            upTo?: string;
            /** @description waiting: when the next run is due. */
            nextRunAt?: string;
            /** @description failed: when the writes are tried again. */
            retryAt?: string;
            /** @description When a run last wrote this chat's records. */
            lastSyncedAt?: string;
            /** @description For a chat whose people are linked: what of its history goes to the CRM. */
            history?: {
                /** @description Messages from this time on go to the CRM. */
                from: string;
                /** @description The first message that goes. */
                firstSentAt?: string;
                /** @description Messages older than `from`, not sent unless asked (POST /chats/{chatId}/history). */
                olderNotSent: number;
                /** @description The user asked for the chat's history (an import, Send older history). */
                asked: boolean;
            };
            /** @description People unlinked by hand on this connection: not matched by phone again until asked. */
            unlinked: {
                identityId: string;
                record: {
                    type: components["schemas"]["RecordType"];
                    id: string;
                    name?: string;
                };
                /** @description ISO 8601, UTC */
                at: string;
            }[];
        };
        ChatSummary: {
            id: string;
            accountId: string;
            /** @enum {string} */
            type: "direct" | "group";
            /** @description Group title, or the partner name of a direct chat. */
            title?: string;
            partner?: components["schemas"]["Identity"];
            groupId?: string;
            /** @description ISO 8601, UTC */
            createdAt: string;
            /** @description ISO 8601, UTC */
            lastMessageAt?: string;
            /** @description In lists: the latest message (system notices aside). */
            lastMessage?: {
                /** @enum {string} */
                type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                text?: string;
                fromMe: boolean;
                /** @description ISO 8601, UTC */
                at: string;
                deleted: boolean;
            };
            /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
            links?: {
                connectionId: string;
                identityId: string;
                record: {
                    type: components["schemas"]["RecordType"];
                    id: string;
                    name?: string;
                };
                /** @description ISO 8601, UTC */
                lastSyncedAt?: string;
            }[];
            /** @description In lists: where the chat stands on each CRM connection. */
            crm?: components["schemas"]["ChatCrmState"][];
        };
        Message: {
            id: string;
            sourceId: string;
            chatId: string;
            fromMe: boolean;
            senderId?: string;
            senderName?: string;
            /** @description ISO 8601, UTC */
            timestamp: string;
            /** @enum {string} */
            type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
            text?: string;
            replyTo?: string;
            /** @description ISO 8601, UTC */
            editedAt?: string;
            /** @description ISO 8601, UTC */
            deletedAt?: string;
            /** @description For messages sent from the account: sent, delivered, read, played or failed, and when. */
            delivery?: {
                status: string;
                /** @description ISO 8601, UTC */
                at: string;
            };
            details?: {
                [key: string]: unknown;
            };
            reactions: {
                emoji: string;
                fromMe: boolean;
                senderId?: string;
                /** @description ISO 8601, UTC */
                at: string;
            }[];
            media?: {
                /** @enum {string} */
                state: "stored" | "pending" | "failed";
                sha256?: string;
                mimeType?: string;
                size?: number;
                fileName?: string;
                failure?: string;
            };
        };
        RunSummary: {
            /** @description ISO 8601, UTC */
            startedAt: string;
            /** @description ISO 8601, UTC */
            finishedAt: string;
            /** @description Chats looked at. */
            chats: number;
            /** @description Chats with at least one linked record. */
            matched: number;
            /** @description Chats with no CRM record (see the unmatched list). */
            unmatched: number;
            /** @description Links made by phone lookup in this run. */
            linksFound: number;
            /** @description Day transcripts created or updated in the CRM. */
            transcriptsWritten: number;
            /** @description Day transcripts unchanged since the last write. */
            transcriptsUnchanged: number;
            filesUploaded: number;
            /** @description Writes that failed and wait for a retry. */
            failed: number;
            /** @description Writes the CRM refused. */
            rejected: number;
            /** @description Writes of unknown outcome from an interrupted run, resolved. */
            recovered: number;
            /** @description Why the run stopped early, if it did. */
            stoppedBy?: string;
        };
        SyncJob: {
            connectionId: string;
            /** @description A process is syncing this connection right now. */
            running: boolean;
            /** @description When the running process's lease ends unless renewed. */
            runningUntil?: string;
            /** @description When the next run is due; absent while parked or none is queued. */
            nextRunAt?: string;
            /** @description Why that run was asked for (schedule, sync now, …). */
            nextRunReason?: string;
            /** @description Failed runs in a row. */
            attempts: number;
            /** @description Why the last run stopped, if it did. */
            lastError?: string;
            /** @description ISO 8601, UTC */
            lastStartedAt?: string;
            /** @description ISO 8601, UTC */
            lastFinishedAt?: string;
            /** @description ISO 8601, UTC */
            lastSuccessAt?: string;
            lastSummary?: components["schemas"]["RunSummary"];
            /** @description The last run in one line, as `wasync sync --once` prints it. */
            lastSummaryText?: string;
        };
        SyncProblem: {
            /** @description The idempotency key of the write. */
            key: string;
            /** @enum {string} */
            kind: "transcript" | "file";
            chatId: string;
            record: {
                type: components["schemas"]["RecordType"];
                id: string;
            };
            /** @description The local day (YYYY-MM-DD) of a transcript. */
            day?: string;
            /** @description The message of a file. */
            messageId?: string;
            /**
             * @description failed: retried later; rejected: the CRM refused it; intent: outcome unknown.
             * @enum {string}
             */
            state: "intent" | "done" | "failed" | "rejected";
            attempts: number;
            lastError?: string;
            /** @description ISO 8601, UTC */
            nextAttemptAt?: string;
            /** @description ISO 8601, UTC */
            updatedAt: string;
        };
        SyncStatus: {
            connection: {
                id: string;
                name: string;
                kind: string;
                /** @enum {string} */
                state: "active" | "parked";
                /** @description What a person must fix before the sync goes on. */
                parkedReason?: string;
            };
            job: components["schemas"]["SyncJob"];
            /** @description The workspace's chats by their state on this connection, as the chat list shows them. */
            chats: {
                /** @description Everything that goes to the CRM is there. */
                inCrm: number;
                /** @description Changed since the last run, or never looked at: the next run takes them. */
                waiting: number;
                /** @description Some writes failed; they are tried again. */
                failed: number;
                /** @description Nobody of the chat has a record, or nothing of it is within what goes to the CRM. */
                notInCrm: number;
                /** @description Chats on the exclusion list: never written. */
                excluded: number;
            };
            /** @description CRM writes in the ledger by state. */
            writes: {
                done: number;
                intent: number;
                failed: number;
                rejected: number;
            };
            /** @description Writes not done, at most 50. */
            problems: components["schemas"]["SyncProblem"][];
        };
        RecordLink: {
            id: string;
            connectionId: string;
            /** @description The WhatsApp person linked. */
            identity: {
                id: string;
                phone?: string;
                name?: string;
            };
            record: {
                type: components["schemas"]["RecordType"];
                id: string;
                name?: string;
            };
            /**
             * @description Found by phone, created from the chat, or linked by hand.
             * @enum {string}
             */
            linkedBy: "lookup" | "created" | "manual";
            /** @description ISO 8601, UTC */
            linkedAt: string;
            /** @description Messages from this time on go to the record. */
            backfillFrom: string;
            /** @description When the record last received this person’s chats. */
            lastSyncedAt?: string;
        };
        ChatRecordLink: {
            id: string;
            connectionId: string;
            /** @description The WhatsApp person linked. */
            identity: {
                id: string;
                phone?: string;
                name?: string;
            };
            record: {
                type: components["schemas"]["RecordType"];
                id: string;
                name?: string;
            };
            /**
             * @description Found by phone, created from the chat, or linked by hand.
             * @enum {string}
             */
            linkedBy: "lookup" | "created" | "manual";
            /** @description ISO 8601, UTC */
            linkedAt: string;
            /** @description Messages from this time on go to the record. */
            backfillFrom: string;
            /** @description When the record last received this person’s chats. */
            lastSyncedAt?: string;
            connection: {
                id: string;
                name: string;
                kind: string;
            };
        };
        UnmatchedChat: {
            chat: components["schemas"]["ChatSummary"];
            /** @description Why it is not in the CRM. */
            reason?: string;
            /** @description When a run last looked at it (none: nothing new within the backfill window). */
            checkedAt?: string;
            /** @description Its people are linked, but nothing of it is within what goes to the CRM. */
            linked: boolean;
            /** @description Messages older than what goes to the CRM. */
            olderNotSent: number;
            /** @description Its person was unlinked by hand: not matched by phone again until asked. */
            unlinkedByHand: boolean;
        };
        CrmRecord: {
            type: components["schemas"]["RecordType"];
            id: string;
            name: string;
            /** @description The phone fields as the CRM holds them. */
            phones: string[];
            /** @description Opens the record in the CRM. */
            url: string;
        };
        RecordCard: {
            type: components["schemas"]["RecordType"];
            id: string;
            name: string;
            /** @description The phone fields as the CRM holds them. */
            phones: string[];
            /** @description Opens the record in the CRM. */
            url: string;
            company?: string;
            owner?: string;
            email?: string;
            leadStatus?: string;
            openDeals: {
                id: string;
                name: string;
                stage?: string;
                amount?: number;
                url: string;
            }[];
            /** @description Newest first, at most five. */
            latestNotes: {
                id: string;
                title: string;
                excerpt: string;
                /** @description ISO 8601, UTC */
                createdAt: string;
            }[];
        };
        CreateAccount: {
            /** @description The WhatsApp number, in any spelling. */
            phone: string;
            /**
             * @description How its messages arrive. Default rest.
             * @enum {string}
             */
            sourceKind?: "rest" | "whatsapp_cloud" | "linked_device" | "chat_export";
            displayName?: string;
            /**
             * @description team: everyone on the team reads its chats; private: you, the people you share it with, and admins. Default private for linked_device and chat_export (a rep's own phone), team otherwise.
             * @enum {string}
             */
            visibility?: "team" | "private";
            /** @description Required when sourceKind is whatsapp_cloud. */
            cloud?: components["schemas"]["CloudAccountInput"];
        };
        AccountAccessChange: {
            /** @description A person on the team; null (admins only) gives the number to no one. */
            ownerId?: string | null;
            /** @enum {string} */
            visibility?: "team" | "private";
            /** @description The whole list of people who read its chats besides the owner (replaces the list). */
            sharedWith?: string[];
        };
        AlertSettings: {
            /** @description Alerts are POSTed here as JSON; none set: no alerts are sent. */
            webhookUrl?: string;
            /** @description Whether a secret is set: each alert then carries `X-Wasync-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
            webhookSigned: boolean;
            /** @description The SMTP server alerts are e-mailed through to the workspace's admins; none set: no e-mail. */
            smtp?: {
                host: string;
                port: number;
                /** @description TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
                secure: boolean;
                user?: string;
                passwordSet: boolean;
                from: string;
            };
            /** @description Who the e-mail goes to: the workspace's admins. */
            recipients: string[];
        };
        AlertSettingsChange: {
            /** @description null: stop sending alerts. */
            webhookUrl?: string | null;
            /** @description The signing secret (16 characters or more); null: send alerts unsigned. Never shown again. */
            webhookSecret?: string | null;
            /** @description Replaces the SMTP server whole; null: stop e-mailing alerts. */
            smtp?: {
                host: string;
                /** @default 587 */
                port: number;
                /** @default false */
                secure: boolean;
                user?: string;
                /** @description Left out: the stored one stays; null: none. Never shown again. */
                password?: string | null;
                /**
                 * Format: email
                 * @description The sender address.
                 */
                from: string;
            } | null;
        };
        Alert: {
            id: string;
            /** @enum {string} */
            event: "started" | "cleared" | "test";
            subject: {
                /** @enum {string} */
                type: "account" | "connection";
                id: string;
                /** @description The number (or its name), or the connection name. */
                label: string;
            };
            /** @description The health sign's code (see Health). */
            code: string;
            message: string;
            /** @enum {string} */
            channel: "webhook" | "email";
            /** @description Whether the receiver accepted it (a 2xx answer). */
            delivered: boolean;
            error?: string;
            sentAt: string;
            /** @description Tries so far. */
            attempts: number;
            /** @description When an alert not delivered is tried again (five more tries over about 4.5 h). */
            retryAt?: string;
        };
        AuditEvent: {
            id: string;
            /** @description When it happened; for token.used, the first use in the hour. */
            occurredAt: string;
            actor: {
                /**
                 * @description anonymous: a sign-in attempt by nobody signed in.
                 * @enum {string}
                 */
                via: "session" | "token" | "cli" | "system" | "anonymous";
                userId?: string;
                tokenId?: string;
                /** @description Who it was, in words; kept after the person is removed. */
                label: string;
            };
            /** @description One of: session.sign_in, session.sign_in_failed, session.sign_out, session.password_changed, workspace.first_admin_created, workspace.settings_changed, invite.created, invite.revoked, invite.accepted, user.role_changed, user.removed, token.created, token.revoked, token.used, connection.created, connection.updated, connection.deleted, connection.tested, connection.setup_run, connection.sync_requested, connection.retry_requested, exclusion.added, exclusion.removed, account.created, account.updated, account.deleted, account.access_changed, import.started, pairing.started, pairing.unlinked, pairing.resumed, secret_key.rotated, person.erased, erasure.crm_deleted, person.exported, tombstone.lifted. */
            action: string;
            target?: {
                type: string;
                id?: string;
                label?: string;
            };
            /** @description What changed; never a password, token or credential. */
            details: {
                [key: string]: unknown;
            };
            clientAddress?: string;
            userAgent?: string;
            /** @description How many times: token.used counts the uses of a route family in its hour. */
            count: number;
        };
        Party: string | {
            /** @description Any WhatsApp id form, as the string form above. */
            id?: string;
            /** @description A phone number in any spelling; national spellings use WASYNC_DEFAULT_REGION. */
            phone?: string;
            /** @description WhatsApp linked id, `<digits>@lid`. */
            lid?: string;
            /** @description Business-scoped user id, `US.1349…`. */
            userId?: string;
            parentUserId?: string;
            username?: string;
            /** @description Push name or address-book name. */
            name?: string;
        };
        Timestamp: number | string;
        Chat: {
            /** @constant */
            type: "direct";
            /** @description The other person. */
            with: components["schemas"]["Party"];
        } | {
            /** @constant */
            type: "group";
            /** @description The group id, e.g. 120363012345678901@g.us. */
            id: string;
            title?: string;
            participants?: components["schemas"]["Party"][];
        };
        Media: {
            /** @description The file bytes, base64-encoded. */
            base64: string;
            mimeType?: string;
            fileName?: string;
        } | {
            /**
             * Format: uri
             * @description wasync downloads it in the background, with retries.
             */
            url: string;
            mimeType?: string;
            fileName?: string;
        };
        MessageItem: {
            /**
             * @description Default.
             * @constant
             */
            kind?: "message";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["Timestamp"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["Party"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            chat: components["schemas"]["Chat"];
            /**
             * @description Default text.
             * @enum {string}
             */
            type?: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
            /** @description The text, or the caption of a media message. */
            text?: string;
            /** @description Source id of the message this one quotes. */
            replyTo?: string;
            media?: components["schemas"]["Media"];
            location?: {
                latitude: number;
                longitude: number;
                name?: string;
                address?: string;
                url?: string;
            };
            contacts?: {
                name: string;
                phones?: string[];
                emails?: string[];
                organization?: string;
            }[];
            forwarded?: boolean;
        };
        EditItem: {
            /** @constant */
            kind: "edit";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["Timestamp"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["Party"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            target: string;
            text: string;
        };
        DeleteItem: {
            /** @constant */
            kind: "delete";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["Timestamp"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["Party"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            target: string;
        };
        ReactionItem: {
            /** @constant */
            kind: "reaction";
            /** @description The source id of this message or event; unique per account. Re-sending it stores nothing new. */
            id: string;
            timestamp: components["schemas"]["Timestamp"];
            /** @description Who sent it. Required for inbound group messages and reactions. */
            from?: components["schemas"]["Party"];
            /** @description Sent by the account owner. Default false. */
            fromMe?: boolean;
            /** @description The source's original payload, stored verbatim. */
            raw?: unknown;
            target: string;
            /** @description The emoji; an empty string removes the reaction. */
            emoji: string;
        };
        IngestBatch: {
            messages: (components["schemas"]["MessageItem"] | components["schemas"]["EditItem"] | components["schemas"]["DeleteItem"] | components["schemas"]["ReactionItem"])[];
        };
        IngestResult: {
            received: number;
            stored: {
                messages: number;
                events: number;
            };
            duplicates: {
                messages: number;
                events: number;
            };
            /** @description Left out, never stored: they involve a person who was erased (a tombstone holds the number). */
            dropped: {
                messages: number;
                events: number;
            };
        };
        Exclusion: {
            id: string;
            /** @enum {string} */
            kind: "phone" | "group" | "account";
            /** @description The number (E.164), the group chat id, or the account id. */
            value: string;
            label?: string;
            createdAt: string;
        };
        ChatLookup: {
            /** @description The chats of the person (direct) or group the caller reads, newest first, as the chat list has them. */
            chats: {
                id: string;
                accountId: string;
                /** @enum {string} */
                type: "direct" | "group";
                /** @description Group title, or the partner name of a direct chat. */
                title?: string;
                partner?: components["schemas"]["Identity"];
                groupId?: string;
                /** @description ISO 8601, UTC */
                createdAt: string;
                /** @description ISO 8601, UTC */
                lastMessageAt?: string;
                /** @description In lists: the latest message (system notices aside). */
                lastMessage?: {
                    /** @enum {string} */
                    type: "text" | "image" | "video" | "audio" | "voice" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "order" | "system" | "unsupported";
                    text?: string;
                    fromMe: boolean;
                    /** @description ISO 8601, UTC */
                    at: string;
                    deleted: boolean;
                };
                /** @description In lists: the CRM records of the people of the chat, per connection, with their last sync. */
                links?: {
                    connectionId: string;
                    identityId: string;
                    record: {
                        type: components["schemas"]["RecordType"];
                        id: string;
                        name?: string;
                    };
                    /** @description ISO 8601, UTC */
                    lastSyncedAt?: string;
                }[];
                /** @description In lists: where the chat stands on each CRM connection. */
                crm?: components["schemas"]["ChatCrmState"][];
                participants: components["schemas"]["Identity"][];
            }[];
            /** @description The person the ids name, when the caller reads a chat they are in (direct lookups). */
            person?: components["schemas"]["Identity"];
            /** @description The ids asked for, normalised: what a chat not captured yet is known by. */
            keys: {
                /** @description E.164. */
                phone?: string;
                /** @description `<digits>@lid`. */
                lid?: string;
                groupId?: string;
            };
        };
        CrmConnectionTest: {
            /** @description Signed in, and everything wasync writes into is set up. */
            ok: boolean;
            problems: string[];
            /** @description wasync could not sign in at the CRM or reach it: the connection needs attention. */
            failure?: {
                /** @description The CRM's stable code (invalid_grant, NETWORK, …). */
                code: string;
                message: string;
            };
        };
        CrmFormField: {
            /** @description Where the value goes in the body; a dot names a nested field (auth.clientId). */
            name: string;
            label: string;
            /** @enum {string} */
            type: "text" | "url" | "password" | "select" | "textarea";
            required: boolean;
            /** @description Sealed at rest and never shown again. */
            secret: boolean;
            hint?: string;
            /** @description The hint while another field has the value. */
            hintWhen?: {
                field: string;
                value: string;
                hint: string;
            }[];
            options?: {
                value: string;
                label: string;
            }[];
            /** @description A select's last choice, whose value is typed in rather than picked. */
            other?: {
                label: string;
                /** @enum {string} */
                type: "text" | "url";
                placeholder?: string;
            };
            defaultValue?: string;
            placeholder?: string;
            pattern?: string;
            /** @description An empty value is sent as null rather than left out. */
            emptyAsNull?: boolean;
            /** @description Shown and sent only while another field has one of these values. */
            when?: {
                field: string;
                values: string[];
            };
        };
        CrmCapabilities: {
            /** @description Leads exist beside contacts. */
            leads: boolean;
            /** @description Open deals are shown on the card. */
            deals: boolean;
        };
        CrmForm: {
            /** @description What the CRM needs first; `backticks` mark code. */
            intro?: string;
            fields: components["schemas"]["CrmFormField"][];
        };
        CrmOAuthForm: {
            /** @description What the CRM's app needs, before the callback URL to register in it; `backticks` mark code. */
            appIntro: string;
            clientIdLabel: string;
            clientSecretLabel: string;
            /** @description The body of POST /oauth/{kind}/start. */
            start: components["schemas"]["CrmForm"];
        };
        CrmKind: {
            kind: string;
            displayName: string;
            capabilities: components["schemas"]["CrmCapabilities"];
            /** @description Present where the kind prepares the CRM (POST /connections/{id}/setup). */
            setup?: {
                label: string;
                description: string;
            };
            /** @description `wasync sandbox <name>` runs a local stand-in for it. */
            sandbox?: string;
            /** @description A person can connect it by signing in at the CRM. */
            oauth: boolean;
            /** @description Where `oauth` is: what the workspace asks for the app and for a sign-in. */
            oauthForm?: components["schemas"]["CrmOAuthForm"];
            form: components["schemas"]["CrmForm"];
        };
        /** @description One server-sent event: `type` is its event name, the rest its data (JSON). */
        LiveEvent: {
            /** @constant */
            type: "messages";
            accountId: string;
            /** @description The chats whose messages were stored or changed. */
            chatIds: string[];
        } | {
            /** @constant */
            type: "sync";
            connectionId: string;
            /**
             * @description How the run ended.
             * @enum {string}
             */
            state: "done" | "retrying" | "parked" | "busy";
            at: string;
            /** @description What the run did, in the line `wasync sync --once` prints; absent when it did nothing. */
            summary?: string;
            /** @description The process that ran it (host:pid): in scale mode, which worker. */
            by?: string;
        };
        ImportSummary: {
            accountId: string;
            chat: {
                /** @enum {string} */
                kind: "direct" | "group";
                key: string;
                title?: string;
            };
            /** @enum {string} */
            dateOrder: "dmy" | "mdy" | "ymd";
            dateOrderDetected: boolean;
            lines: number;
            messages: {
                total: number;
                new: number;
                existing: number;
                system: number;
                /** @description Left out: their author or chat partner was erased (tombstoned). */
                dropped: number;
            };
            media: {
                found: number;
                missing: number;
                omitted: number;
                tooLarge: number;
            };
            skipped: {
                total: number;
                reasons: {
                    [key: string]: number;
                };
            };
            authors: {
                me?: string;
                others: number;
            };
            /** @description The chat the messages are in. */
            chatId?: string;
            /** @description Whether the imported history goes to the CRM at the next sync, whatever its age. */
            toCrm: boolean;
        };
        ImportStatus: {
            id: string;
            accountId: string;
            /**
             * @description queued, then running on a worker, then done (with the summary) or failed (with the error).
             * @enum {string}
             */
            state: "queued" | "running" | "done" | "failed";
            fileName?: string;
            chatName?: string;
            /** @description The size of the upload. */
            sizeBytes: number;
            /** @description How far the running import is, as of its last heartbeat. */
            progress?: {
                /**
                 * @description scan: the text is checked; media: attachments are stored; import: messages are stored.
                 * @enum {string}
                 */
                phase: "scan" | "media" | "import";
                done: number;
                /** @description Bytes of chat text (scan, import) or media files (media). */
                total: number;
            };
            /** @description Once done: what was imported. */
            summary?: components["schemas"]["ImportSummary"];
            /** @description Once failed: the error code (an `export_*` one for a bad file: nothing was stored) and message. */
            error?: {
                code: string;
                message: string;
            };
            createdAt: string;
            startedAt?: string;
            finishedAt?: string;
        };
        OAuthApp: {
            kind: string;
            configured: boolean;
            clientId?: string;
            updatedAt?: string;
            /** @description The callback URL to register in the CRM's app; null until WASYNC_PUBLIC_URL is set (or the request came over loopback). */
            redirectUri: string | null;
        };
        OAuthAppCredentials: {
            /** @description The app's client id (Salesforce: the consumer key). */
            clientId: string;
            /** @description The app's client secret (Salesforce: the consumer secret); stored encrypted, never answered. */
            clientSecret: string;
        };
        Pairing: {
            /**
             * @description qr: QR codes to scan under Linked devices; code: an 8-character code to type there instead.
             * @default qr
             * @enum {string}
             */
            method: "qr" | "code";
            /**
             * @description The account owner's opt-in. Linking a WhatsApp account here uses WhatsApp’s linked-device protocol through an unofficial library (baileys), not Meta’s official API. WhatsApp’s terms do not allow unofficial clients, and WhatsApp can restrict or ban a number it finds using one, temporarily or for good. wasync only reads: it never sends a message, marks nothing as read and never shows you online, which lowers the risk but does not remove it. Link a number only if its owner accepts this risk.
             * @constant
             */
            acceptRisk: true;
        };
        /** @description One server-sent event: `type` is its event name, the rest its data (JSON). */
        PairingEvent: {
            /** @constant */
            type: "qr";
            /** @description The QR code's text; a new one about every 20 s. */
            qr: string;
            /** @description The QR code drawn as SVG. */
            svg: string;
        } | {
            /** @constant */
            type: "code";
            /** @description The 8-character code to type on the phone. */
            code: string;
        } | {
            /** @constant */
            type: "connected";
            /** @description The number now linked. */
            me: string;
        } | {
            /** @constant */
            type: "failed";
            /** @enum {string} */
            code: "pairing_timeout" | "logged_out" | "pairing_failed" | "stopped";
            reason: string;
        };
        User: {
            id: string;
            email: string;
            name: string;
            /** @enum {string} */
            role: "admin" | "member";
            createdAt: string;
            lastSignInAt?: string;
        };
        Session: {
            user: components["schemas"]["User"];
            /** @description Send it as X-CSRF-Token with every change made through this session. */
            csrfToken: string;
            expiresAt: string;
        };
        Invite: {
            id: string;
            email: string;
            /** @enum {string} */
            role: "admin" | "member";
            createdAt: string;
            expiresAt: string;
        };
        ErasureCounts: {
            identities: number;
            /** @description Direct chats with the person, removed with all their messages. */
            directChats: number;
            /** @description Group chats the person was in: they stay, without them. */
            groupChats: number;
            messages: number;
            /** @description Edits, deletions and reactions received as events. */
            events: number;
            reactions: number;
            media: number;
            /** @description Files deleted from disk (bytes no other message uses). */
            mediaFiles: number;
            recordLinks: number;
            syncLedgerRows: number;
            /** @description Stored Cloud API deliveries (processed) naming the person. */
            webhookDeliveries: number;
            /** @description Deliveries not processed yet that name the person: kept for the others in them; the tombstone leaves the person out. */
            webhookDeliveriesPending: number;
            /** @description Others' stored group payloads in which the person's number was blanked. */
            payloadsRedacted: number;
        };
        ErasureCrmWrite: {
            connectionId: string;
            connectionName: string;
            /** @enum {string} */
            kind: "chat_record" | "note" | "file";
            crmId: string;
            recordType: string;
            recordId: string;
            day?: string;
            /**
             * @description listed: not deleted yet; gone: the CRM no longer had it; failed: see errorCode and error.
             * @enum {string}
             */
            state: "listed" | "deleted" | "gone" | "failed";
            errorCode?: string;
            error?: string;
            attemptedAt?: string;
        };
        Erasure: {
            id: string;
            /** @description Country code and last two digits: the number itself is not kept. */
            phoneHint: string;
            requestedBy: string;
            requestedAt: string;
            removed: components["schemas"]["ErasureCounts"];
            crmWrites: components["schemas"]["ErasureCrmWrite"][];
        };
        ErasurePreview: {
            /** @constant */
            dryRun: true;
            phone: string;
            phoneHint: string;
            removed: components["schemas"]["ErasureCounts"];
            crmWrites: components["schemas"]["ErasureCrmWrite"][];
            /** @description The number is tombstoned already. */
            tombstoned: boolean;
        };
        Tombstone: {
            id: string;
            erasureId?: string;
            phoneHint: string;
            createdAt: string;
        };
        WorkspaceSettings: {
            /** @description How often each CRM connection is synced. */
            syncIntervalMinutes: number;
            /** @description Days of history sent when a CRM or a number is first linked. */
            backfillDays: number;
            /** @description Days of transcripts and chat-export times are read in this zone. */
            timeZone: string;
            /** @description Country of numbers written without one (ISO 3166). */
            defaultRegion?: string;
            /** @description Whether admins read every number's chats (default), or only those a member could: numbers they own, that are shared with them, or the team reads. Admins manage every number either way. */
            adminsSeeAllChats: boolean;
            /** @description Days the audit log keeps an event; older ones are deleted (admins read the log). */
            auditRetentionDays: number;
            /** @description Near-real-time sync (default on): a stored message asks for a run of the connections its chat reaches within seconds, bursts coalesced and the CRM budget kept; the interval stays as the safety net. */
            realTime: boolean;
            /** @description Capture from the browser extension (default off): the REST ingest takes the messages of the chats open in WhatsApp Web that the extension posts (header X-Wasync-Client: extension), into linked-device and REST numbers; off, it refuses them (extension_capture_off). */
            extensionCapture: boolean;
            /** @description The server's configured values, which apply where the workspace sets none. */
            defaults: {
                syncIntervalMinutes: number;
                backfillDays: number;
                auditRetentionDays: number;
            };
            /** @description Media storage and the import limits (server configuration). */
            storage: {
                /** @description Bytes of media the workspace holds, each file counted once. */
                usedBytes: number;
                /** @description WASYNC_STORAGE_QUOTA: an import that would pass it is refused (storage_quota_exceeded). */
                quotaBytes?: number;
                /** @description Bytes of media one chat-export import may store. */
                importMaxMediaBytes: number;
                /** @description Media files one chat-export import may store. */
                importMaxMediaFiles: number;
            };
        };
        WorkspaceSettingsChange: {
            syncIntervalMinutes?: number | null;
            backfillDays?: number | null;
            timeZone?: string;
            defaultRegion?: unknown | null;
            adminsSeeAllChats?: boolean;
            auditRetentionDays?: number | null;
            realTime?: boolean;
            extensionCapture?: boolean;
        };
        LinkInput: {
            /** @description The CRM connection, by id or name. */
            connection: string;
            record: {
                type: components["schemas"]["RecordType"];
                /** @description The CRM's record id. */
                id: string;
            };
            /** @description Which person of the chat: required for a group chat; a direct chat's partner by default. */
            identityId?: string;
        };
        NewRecordInput: {
            /** @description The CRM connection, by id or name. */
            connection: string;
            type: components["schemas"]["RecordType"];
            /** @description Defaults to the person's WhatsApp name, or their number. */
            name?: string;
            /** @description For a lead; the CRM gets a placeholder when absent. */
            company?: string;
            /** @description The record's number, in any spelling (national ones read with the workspace's region). Defaults to the person's; required when WhatsApp has shared only their linked id. The chat is linked to the new record whatever its number. */
            phone?: string;
            /** @description Which person of the chat: required for a group chat; a direct chat's partner by default. */
            identityId?: string;
        };
        ApiToken: {
            id: string;
            name: string;
            /**
             * @description The role it was made with; it acts with the lesser of this and its owner's role.
             * @enum {string}
             */
            role: "admin" | "member";
            /** @description The person it belongs to; absent only before the first admin signs up. */
            owner?: {
                id: string;
                name: string;
                email: string;
            };
            /** @description The first characters of the token, to recognise it. */
            prefix: string;
            createdAt: string;
            lastUsedAt?: string;
            revokedAt?: string;
        };
        CloudHistorySync: {
            /** @description Which to ask: smb_app_state_sync (contacts), history (chats). Default: those not accepted yet. */
            syncTypes?: ("smb_app_state_sync" | "history")[];
        };
        CrmConnection: {
            id: string;
            /** @enum {string} */
            kind: "salesforce" | "zoho" | "bitrix24";
            name: string;
            /** @description Base URLs, API version, client id, sign-in flow. Never a secret. */
            settings: {
                [key: string]: unknown;
            };
            /** @description The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow). */
            summary?: string;
            /**
             * @description parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.
             * @enum {string}
             */
            state: "active" | "parked";
            /** @description What needs attention, in the CRM's words, ending with its stable code in brackets. */
            parkedReason?: string;
            createdAt: string;
        };
        CrmConnectionSaved: {
            id: string;
            /** @enum {string} */
            kind: "salesforce" | "zoho" | "bitrix24";
            name: string;
            /** @description Base URLs, API version, client id, sign-in flow. Never a secret. */
            settings: {
                [key: string]: unknown;
            };
            /** @description The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow). */
            summary?: string;
            /**
             * @description parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.
             * @enum {string}
             */
            state: "active" | "parked";
            /** @description What needs attention, in the CRM's words, ending with its stable code in brackets. */
            parkedReason?: string;
            createdAt: string;
            test: components["schemas"]["CrmConnectionTest"];
        };
        CrmConnectionChanged: {
            id: string;
            /** @enum {string} */
            kind: "salesforce" | "zoho" | "bitrix24";
            name: string;
            /** @description Base URLs, API version, client id, sign-in flow. Never a secret. */
            settings: {
                [key: string]: unknown;
            };
            /** @description The settings in one line, as the kind describes them (Salesforce: login URL · sign-in flow). */
            summary?: string;
            /**
             * @description parked: the connection needs attention and the sync leaves it alone: it could not sign in when saved or tested (bad credentials, the CRM unreachable), or the CRM refused a sync. A test that passes, or Sync now, clears it.
             * @enum {string}
             */
            state: "active" | "parked";
            /** @description What needs attention, in the CRM's words, ending with its stable code in brackets. */
            parkedReason?: string;
            createdAt: string;
            test: components["schemas"]["CrmConnectionTest"];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

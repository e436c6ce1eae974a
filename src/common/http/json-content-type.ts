/** The Content-Type of every JSON body the API sends, as Fastify sets it for objects. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

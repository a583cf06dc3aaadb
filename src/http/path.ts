import { getPath } from 'hono/utils/url';

/**
 * Routing sees a normalised path: no trailing slash (`/v1/` is `/v1`) and no format suffix
 * (`/v1/extensions.xml` routes as `/v1/extensions`; negotiation reads the suffix from the URL).
 */
const SUFFIX = /\.(json|xml)$/;

export const routingPath = (request: Request): string => {
  let path = getPath(request);
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 47) path = path.slice(0, -1);
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') && SUFFIX.test(path) ? path.slice(0, dot) : path;
};

/** The format suffix of the request path (`json`, `xml`), if any. */
export const formatSuffix = (url: string): string | undefined => {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  if (path.endsWith('/')) path = path.slice(0, -1);
  return SUFFIX.exec(path)?.[1];
};

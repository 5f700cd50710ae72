/**
 * What linking a WhatsApp account to wasync risks, said the same way wherever a person opts in: the
 * pairing screen, `wasync link-device`, the API's documentation and the README.
 */
export const LINKED_DEVICE_RISK =
  'Linking a WhatsApp account here uses WhatsApp’s linked-device protocol through an unofficial ' +
  'library (baileys), not Meta’s official API. WhatsApp’s terms do not allow unofficial clients, and ' +
  'WhatsApp can restrict or ban a number it finds using one, temporarily or for good. wasync only ' +
  'reads: it never sends a message, marks nothing as read and never shows you online, which lowers ' +
  'the risk but does not remove it. Link a number only if its owner accepts this risk.';

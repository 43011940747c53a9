'use strict';
// Base64 and byte counts with what every JavaScript host has (atob, btoa,
// TextEncoder): the codec of a page, and the strict decoding `send` needs.
// Node.js has a faster codec of its own (Buffer; the node adapter's
// ws-transport.js); a codec is `{ utf8Length(text), encodeBase64(bytes),
// decodeBase64(text) }`, bytes a Uint8Array.

const encoder = new TextEncoder();

/** Standard base64 of a Uint8Array. */
function encodeBase64(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** The bytes of base64 text, as a Uint8Array (throws on text atob refuses). */
function decodeBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes as a page counts and encodes them. */
const WEB_CODEC = Object.freeze({
  utf8Length: (text) => encoder.encode(text).length,
  encodeBase64,
  decodeBase64,
});

/** A fresh ArrayBuffer holding a byte view's bytes. */
function arrayBufferOf(bytes) {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** Strict (canonical, padded) standard base64, as RFC 4648 section 4: bytes by `codec`, or null. */
function decodeBase64Strict(text, codec) {
  if (typeof text !== 'string' || text.length % 4 !== 0) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  let bytes;
  try {
    bytes = codec.decodeBase64(text);
  } catch {
    return null;
  }
  // A non-canonical encoding (bits left over, misplaced padding) does not survive the round trip.
  if (codec.encodeBase64(bytes) !== text) return null;
  return bytes;
}

module.exports = { encodeBase64, decodeBase64, WEB_CODEC, arrayBufferOf, decodeBase64Strict };

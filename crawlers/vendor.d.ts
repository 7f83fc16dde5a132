// html-encoding-sniffer ships no type declarations; this covers the one call pactwatch makes.
declare module 'html-encoding-sniffer' {
  interface SniffOptions {
    /** A charset label from the transport layer (Content-Type); it overrides the <meta> prescan. */
    transportLayerEncodingLabel?: string;
    /** Returned when neither a BOM nor a <meta> charset is found. */
    defaultEncoding?: string;
  }
  /** Returns a WHATWG encoding name (e.g. `GBK`, `UTF-8`), or `defaultEncoding`. */
  export default function htmlEncodingSniffer(bytes: Uint8Array, options?: SniffOptions): string;
}

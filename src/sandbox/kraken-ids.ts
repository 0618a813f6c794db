/** The sandbox's Kraken order and trade ids (`OSBX001-KRKEN-SANDBX`), shared by its REST and WebSocket faces. */
export function txid(o: { id: string }, prefix: 'O' | 'T' | 'F'): string {
  return `${prefix}SBX${o.id.padStart(3, '0')}-KRKEN-SANDBX`;
}

export function idFromTxid(raw: string): string | undefined {
  const m = /^[OTF]SBX(\d+)-KRKEN-SANDBX$/.exec(raw);
  return m?.[1]?.replace(/^0+(?=\d)/, '');
}

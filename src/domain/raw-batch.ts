/** An acquired input, kept immutable and content-addressed. */
export interface RawBatch {
  id: string;
  contractName: string;
  sha256: string;
  sourceType: string;
  sourceUri: string | null;
  sizeBytes: number;
  rowCount: number | null;
  storagePath: string;
  receivedAt: number;
}

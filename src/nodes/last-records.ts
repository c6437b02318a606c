/** The first record of the last message each destination node received, for the editor's sample panel. */
export const lastRecords = new Map<string, unknown>();

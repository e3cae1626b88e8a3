// A region's review state: one list for the project store, the API contract, exports and the renderer's filters.
export const REVIEW_STATES = ['unreviewed', 'confirmed', 'rejected'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

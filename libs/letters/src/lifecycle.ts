// Moved to libs/lifecycle; this re-export goes when libs/letters is split by aggregate.
export * from '#lifecycle';

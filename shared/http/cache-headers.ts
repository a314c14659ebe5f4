/** Response headers of the cached answers (capabilities, files): whether the cache answered, and its age. */
export const CACHE_HEADER = 'Rbm-Cache';
export const AGE_HEADER = 'Age';

/**
 * The local runtime's development JWT key, used when HUB_JWT_SECRET is unset (`npm start`, `hub token`).
 * Local development only: never deploy it.
 */
export const DEV_JWT_SECRET = 'local-development-only-secret-do-not-deploy';

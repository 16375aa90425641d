/**
 * Registers the offline service worker in the production build. Not in the dev server, whose modules
 * change under the same names. A browser without service workers, or one that refuses this one, simply
 * needs the network: nothing else depends on it.
 */
export async function registerOffline(): Promise<boolean> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return false;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Downloads a file from one of the app's resource routes. Inside Shopify admin App Bridge supplies the session
 * token (shopify.idToken()); opened directly (tests, the demo) the id_token the page was opened with is used.
 */
async function sessionToken(): Promise<string | null> {
  const bridge = (window as unknown as { shopify?: { idToken?: () => Promise<string> } }).shopify;
  if (typeof bridge?.idToken === "function") {
    try {
      return await bridge.idToken();
    } catch {
      // fall through to the URL's token
    }
  }
  return new URLSearchParams(window.location.search).get("id_token");
}

export async function downloadAuthenticated(url: string, filename: string): Promise<boolean> {
  try {
    const token = await sessionToken();
    const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!response.ok) return false;
    const blob = await response.blob();
    const href = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = href;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(href), 10_000);
    return true;
  } catch {
    return false;
  }
}

import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// The app lives inside Shopify admin; a direct visit with a shop goes to the embedded app.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return null;
};

export default function Index() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Lifecycle Stages</h1>
      <p>
        Every customer tagged with their lifecycle stage, always current, and a board of the five stages of the
        Customer MasterPlan showing which stage has no marketing behind it. Install it from Shopify admin.
      </p>
    </main>
  );
}

// masto.js (the library under Elk and Phanpy) against a live Kiln: log in with a token, find the
// streaming address in /api/v2/instance, stream the user timeline over its WebSocket, and print
// the status whose text contains WANTED when it arrives. Run by tests/api/test_masto_js.py.
//   node masto_stream.mjs BASE_URL TOKEN WANTED
import { createRestAPIClient, createStreamingAPIClient } from "masto";

const [url, accessToken, wanted] = process.argv.slice(2);
const rest = createRestAPIClient({ url, accessToken });
const me = await rest.v1.accounts.verifyCredentials();
const instance = await rest.v2.instance.fetch();
console.log(`LOGGED_IN ${me.username} ${instance.configuration.urls.streaming}`);

const streaming = createStreamingAPIClient({
  streamingApiUrl: instance.configuration.urls.streaming,
  accessToken,
  retry: false,
});
const subscription = streaming.user.subscribe();
console.log("SUBSCRIBED");
setTimeout(() => {
  console.log("TIMEOUT");
  process.exit(2);
}, 30_000);
for await (const event of subscription) {
  console.log(`EVENT ${event.event}`);
  if (event.event === "update" && event.payload.content.includes(wanted)) {
    console.log(`ARRIVED ${event.payload.id} @${event.payload.account.acct}`);
    subscription.unsubscribe();
    streaming.close();
    process.exit(0);
  }
}

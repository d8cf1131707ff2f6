/* api.c: the REST API's bulk upsert and paging against a desktop's sync push of the same purchases
 *
 *   bench-api [N]
 *
 * Prints, for N purchases (default 5,000) of 100 customers on a real
 * crm-server (SQLite) in a thread of this process on 127.0.0.1:
 *   - a desktop pushing them through sync (the reference: the same
 *     storage path, one transaction per row as well),
 *   - the API's bulk upsert of them in batches of 500 by contact_id,
 *     the same batches again (all unchanged), and by the customer's email,
 *   - listing them all through the API, 1,000 a page,
 * each with its ratio to the reference.
 */

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-purchase.h"
#include "crm-runtime.h"
#include "crm-server-api.h"
#include "crm-sync-engine.h"
#include "server-fixture.h"

#define PASSWORD "bench password"
#define CUSTOMERS 100
#define BATCH 500

typedef struct
{
  ServerFixture server;
  SoupSession *session;
  char *key;
} Bench;

static void
prepare (CrmServer *server,
         gpointer   data)
{
  Bench *b = data;
  g_autoptr(GError) error = NULL;

  if (!crm_server_add_user (server, "bench", PASSWORD, "admin", NULL, &error))
    g_error ("%s", error->message);
  b->key = crm_server_api_key_create (crm_server_get_backend (server), "bench",
                                      "contacts:read,contacts:write,purchases:read,purchases:write", NULL, &error);
  if (b->key == NULL)
    g_error ("%s", error->message);
}

static JsonObject *
request (Bench      *b,
         const char *method,
         const char *path,
         const char *body)
{
  g_autofree char *url = g_strdup_printf ("%s%s", b->server.url, path);
  g_autofree char *header = g_strdup_printf ("Bearer %s", b->key);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", header);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (b->session, msg, NULL, &error);
  if (answer == NULL)
    g_error ("%s %s: %s", method, path, error->message);
  if (soup_message_get_status (msg) >= 300)
    g_error ("%s %s: %u %.*s", method, path, soup_message_get_status (msg),
             (int) MIN (g_bytes_get_size (answer), 300), (const char *) g_bytes_get_data (answer, NULL));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error))
    g_error ("%s", error->message);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
sync_store (Bench    *b,
            CrmStore *store)
{
  g_autoptr(CrmSyncEngine) engine = crm_sync_engine_new (store, b->server.url);
  g_autoptr(GError) error = NULL;
  CrmSyncStats stats = { 0 };

  crm_sync_engine_set_credentials (engine, "bench", PASSWORD);
  if (!crm_sync_engine_run (engine, NULL, &stats, &error))
    g_error ("sync: %s", error->message);
}

/* Uploads N purchases in batches; @by_email names the customer by email
 * instead of contact_id. Returns the seconds taken, and checks the
 * statuses the batches report. */
static double
bulk (Bench       *b,
      guint        n,
      char       **contact_ids,
      gboolean     by_email,
      const char  *expected)
{
  gint64 start = g_get_monotonic_time ();

  for (guint first = 0; first < n; first += BATCH)
    {
      g_autoptr(GString) body = g_string_new ("{\"purchases\": [");
      g_autoptr(JsonObject) answer = NULL;
      guint count = MIN (BATCH, n - first);

      for (guint i = first; i < first + count; i++)
        {
          guint c = i % CUSTOMERS;

          if (i > first)
            g_string_append_c (body, ',');
          g_string_append_printf (body, "{\"order_ref\": \"API-%06u\", ", i);
          if (by_email)
            g_string_append_printf (body, "\"contact\": {\"email\": \"c%03u@example.cn\"}, ", c);
          else
            g_string_append_printf (body, "\"contact_id\": \"%s\", ", contact_ids[c]);
          g_string_append_printf (body, "\"product\": \"商品 %u\", \"amount\": %u, "
                                  "\"purchased_at\": \"2024-%02u-%02uT10:00:00Z\"}",
                                  i % 50, 1000 + i % 9000, 1 + i % 12, 1 + i % 28);
        }
      g_string_append (body, "]}");
      answer = request (b, "POST", "/api/v1/purchases:bulk-upsert", body->str);
      if (json_object_get_int_member (json_object_get_object_member (answer, "summary"), expected) != count)
        g_error ("a batch was not all %s", expected);
    }
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { 0 };
  guint n = argc > 1 ? (guint) strtoul (argv[1], NULL, 10) : 5000;
  g_autoptr(GError) error = NULL;
  g_autoptr(CrmStore) desktop = NULL;
  g_autofree char *desktop_path = NULL;
  char *contact_ids[CUSTOMERS];
  double push_s, bulk_s, again_s, email_s, list_s;
  guint listed = 0, pages = 0;
  gint64 start;

  crm_runtime_init ();
  if (n == 0)
    n = 5000;
  server_fixture_start (&b.server, NULL, prepare, &b);
  b.session = soup_session_new_with_options ("timeout", 600, NULL);
  printf ("bench-api: %u purchases of %u customers, in %s\n", n, CUSTOMERS, b.server.dir);

  for (guint c = 0; c < CUSTOMERS; c++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\": \"客户%03u\", \"emails\": [\"c%03u@example.cn\"]}", c, c);
      g_autoptr(JsonObject) answer = request (&b, "POST", "/api/v1/contacts", body);

      contact_ids[c] = g_strdup (json_object_get_string_member (answer, "id"));
    }

  /* The reference: a desktop that has the customers pushes n purchases. */
  desktop_path = g_build_filename (b.server.dir, "desktop.db", NULL);
  desktop = crm_store_open (desktop_path, &error);
  if (desktop == NULL)
    g_error ("%s", error->message);
  sync_store (&b, desktop);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
      g_autofree char *product = g_strdup_printf ("商品 %u", i % 50);
      g_autofree char *ref = g_strdup_printf ("DESK-%06u", i);

      g_object_set (purchase, "contact-id", contact_ids[i % CUSTOMERS], "product", product,
                    "amount", (gint64) (1000 + i % 9000), "purchased-at", "2024-06-01T10:00:00Z",
                    "order-ref", ref, NULL);
      if (!crm_store_insert (desktop, CRM_RECORD (purchase), &error))
        g_error ("%s", error->message);
    }
  start = g_get_monotonic_time ();
  sync_store (&b, desktop);
  push_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  printf ("reference, sync push of %u purchases from a desktop: %.2f s (%.0f rows/s)\n", n, push_s, n / push_s);

  bulk_s = bulk (&b, n, contact_ids, FALSE, "created");
  printf ("bulk upsert by contact_id, %u a batch: %.2f s (%.0f rows/s), %.2f× the push\n",
          BATCH, bulk_s, n / bulk_s, bulk_s / push_s);
  again_s = bulk (&b, n, contact_ids, FALSE, "unchanged");
  printf ("the same batches again (all unchanged): %.2f s, %.2f× the first upload\n", again_s, again_s / bulk_s);
  email_s = bulk (&b, n, contact_ids, TRUE, "unchanged");
  printf ("again, customers named by email: %.2f s, %.2f× by contact_id\n", email_s, email_s / again_s);

  start = g_get_monotonic_time ();
  {
    g_autofree char *cursor = NULL;

    do
      {
        g_autofree char *path = cursor ? g_strdup_printf ("/api/v1/purchases?limit=1000&cursor=%s", cursor)
                                       : g_strdup ("/api/v1/purchases?limit=1000");
        g_autoptr(JsonObject) page = request (&b, "GET", path, NULL);

        listed += json_array_get_length (json_object_get_array_member (page, "data"));
        pages++;
        g_clear_pointer (&cursor, g_free);
        if (!json_object_get_null_member (page, "next_cursor"))
          cursor = g_strdup (json_object_get_string_member (page, "next_cursor"));
      }
    while (cursor != NULL);
  }
  list_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (listed != 2 * n)
    g_error ("listed %u purchases, expected %u", listed, 2 * n);
  printf ("listing all %u purchases, 1000 a page: %u pages in %.2f s (%.0f rows/s), %.2f× the push\n",
          listed, pages, list_s, listed / list_s, list_s / push_s);

  for (guint c = 0; c < CUSTOMERS; c++)
    g_free (contact_ids[c]);
  g_clear_object (&desktop);
  g_clear_object (&b.session);
  g_free (b.key);
  server_fixture_stop (&b.server);
  return 0;
}

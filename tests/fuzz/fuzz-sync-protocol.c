/* fuzz-sync-protocol.c: request bodies as crm-server reads them (login,
 * push with its mutations), and what encoding the decoded value gives back */
#include "config.h"

#include <json-glib/json-glib.h>

#include "crm-sync-protocol.h"
#include "fuzz-target.h"

static void
check_push_round_trip (CrmSyncPush *push)
{
  g_autoptr(JsonObject) encoded = crm_sync_push_encode (push);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) reparsed = NULL;
  CrmSyncPush *again;
  gsize length = 0;

  text = crm_sync_object_to_string (encoded, &length);
  reparsed = crm_sync_parse_object (text, length, &error);
  /* An accepted body can grow when re-encoded (escapes), past the limit. */
  if (reparsed == NULL)
    return;
  again = crm_sync_push_decode (reparsed, &error);
  if (again == NULL)
    g_error ("a decoded push does not decode after encoding: %s\n%s", error->message, text);
  g_assert_cmpuint (again->mutations->len, ==, push->mutations->len);
  for (guint i = 0; i < push->mutations->len; i++)
    {
      g_autofree char *a = crm_sync_mutation_digest (g_ptr_array_index (push->mutations, i));
      g_autofree char *b = crm_sync_mutation_digest (g_ptr_array_index (again->mutations, i));

      g_assert_cmpstr (a, ==, b);
    }
  crm_sync_push_free (again);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = crm_sync_parse_object ((const char *) data, size, &error);

  if (object == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }

  {
    g_autoptr(GError) login_error = NULL;
    CrmSyncLogin *login = crm_sync_login_decode (object, &login_error);

    g_assert ((login == NULL) == (login_error != NULL));
    if (login != NULL)
      crm_sync_login_free (login);
  }
  {
    g_autoptr(GError) push_error = NULL;
    CrmSyncPush *push = crm_sync_push_decode (object, &push_error);

    g_assert ((push == NULL) == (push_error != NULL));
    if (push != NULL)
      {
        check_push_round_trip (push);
        crm_sync_push_free (push);
      }
  }
  {
    g_autoptr(GError) mutation_error = NULL;
    CrmSyncMutation *mutation = crm_sync_mutation_decode (object, &mutation_error);

    g_assert ((mutation == NULL) == (mutation_error != NULL));
    if (mutation != NULL)
      crm_sync_mutation_free (mutation);
  }
  return 0;
}

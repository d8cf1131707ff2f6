/* test-timeline-model.c: a contact's activities and purchases in date order, filtered by kind, following the store */

#include "config.h"

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-deal-moves.h"
#include "crm-deal-stage-history.h"
#include "crm-deal.h"
#include "crm-pipeline.h"
#include "crm-stage.h"
#include "crm-purchase.h"
#include "crm-timeline-model.h"
#include "store-fixture.h"

static char *
add_record (CrmStore   *store,
            GType       type,
            ...)
{
  g_autoptr(CrmRecord) record = g_object_new (type, NULL);
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  va_start (args, type);
  while ((field = va_arg (args, const char *)) != NULL)
    {
      crm_record_set_field_from_string (record, field, va_arg (args, const char *), &error);
      g_assert_no_error (error);
    }
  va_end (args);
  crm_store_insert (store, record, &error);
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (record));
}

static const char *
subject_at (GListModel *model,
            guint       position)
{
  g_autoptr(CrmRecord) record = g_list_model_get_item (model, position);
  static char buffer[128];

  g_assert_nonnull (record);
  g_strlcpy (buffer, CRM_IS_PURCHASE (record) ? crm_record_get_string (record, "product")
                                              : crm_record_get_string (record, "subject"),
             sizeof buffer);
  return buffer;
}

static void
test_order_and_kinds (StoreFixture  *f,
                      gconstpointer  data)
{
  g_autoptr(CrmTimelineModel) timeline = crm_timeline_model_new (f->store);
  g_autoptr(GError) error = NULL;
  GListModel *model = G_LIST_MODEL (timeline);
  g_autofree char *contact = add_record (f->store, CRM_TYPE_CONTACT, "name", "张三", NULL);
  g_autofree char *other = add_record (f->store, CRM_TYPE_CONTACT, "name", "李四", NULL);
  g_autofree char *call = add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "call",
                                      "subject", "First call", "done_at", "2024-01-10T09:00:00Z", NULL);
  g_autofree char *task = add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "task",
                                      "subject", "Send offer", "due_at", "2024-03-01T09:00:00Z", NULL);
  g_autofree char *purchase = add_record (f->store, CRM_TYPE_PURCHASE, "contact_id", contact, "product", "茶叶",
                                          "amount", "128.00", "purchased_at", "2024-02-01T10:00:00Z", NULL);
  g_autofree char *elsewhere = add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", other, "kind", "note",
                                           "subject", "Not theirs", NULL);

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  crm_timeline_model_set_contact_id (timeline, contact);

  /* Newest first, activities and purchases interleaved by date. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpstr (subject_at (model, 0), ==, "Send offer");
  g_assert_cmpstr (subject_at (model, 1), ==, "茶叶");
  g_assert_cmpstr (subject_at (model, 2), ==, "First call");
  g_assert_cmpstr (crm_timeline_model_get_item_time (timeline, 1), ==, "2024-02-01T10:00:00Z");

  crm_timeline_model_set_kind (timeline, "purchase");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  crm_timeline_model_set_kind (timeline, "call");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  g_assert_cmpstr (subject_at (model, 0), ==, "First call");
  crm_timeline_model_set_kind (timeline, NULL);

  /* It follows the store: a new note appears, a deleted call goes. */
  g_free (add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "note",
                      "subject", "Likes green tea", "done_at", "2024-05-01T08:00:00Z", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  g_assert_cmpstr (subject_at (model, 0), ==, "Likes green tea");
  crm_store_delete (f->store, CRM_TYPE_ACTIVITY, call, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
}

/* A deal's timeline: its activities (not its customer's others) and its
 * stage moves, newest first, following new moves. */
static void
test_deal (StoreFixture  *f,
           gconstpointer  data)
{
  g_autoptr(CrmTimelineModel) timeline = crm_timeline_model_new (f->store);
  g_autoptr(GError) error = NULL;
  GListModel *model = G_LIST_MODEL (timeline);
  g_autofree char *contact = add_record (f->store, CRM_TYPE_CONTACT, "name", "张三", NULL);
  g_autofree char *pipeline = add_record (f->store, CRM_TYPE_PIPELINE, "name", "销售", NULL);
  g_autofree char *first = add_record (f->store, CRM_TYPE_STAGE, "pipeline_id", pipeline, "name", "初步接触",
                                       "position", "0", NULL);
  g_autofree char *second = add_record (f->store, CRM_TYPE_STAGE, "pipeline_id", pipeline, "name", "报价",
                                        "position", "1", NULL);
  g_autofree char *deal = add_record (f->store, CRM_TYPE_DEAL, "title", "年度采购", "contact_id", contact,
                                      "pipeline_id", pipeline, "stage_id", first, NULL);
  g_autofree char *call = add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "deal_id", deal,
                                      "kind", "call", "subject", "Deal call", "done_at", "2000-01-10T09:00:00Z", NULL);
  g_autofree char *task = add_record (f->store, CRM_TYPE_ACTIVITY, "deal_id", deal, "kind", "task",
                                      "subject", "Send quote", "due_at", "2999-03-01T09:00:00Z", NULL);
  g_autofree char *other = add_record (f->store, CRM_TYPE_ACTIVITY, "contact_id", contact, "kind", "note",
                                       "subject", "Not about the deal", NULL);
  g_autoptr(CrmRecord) item = NULL;

  crm_timeline_model_set_deal_id (timeline, deal);
  g_assert_cmpstr (crm_timeline_model_get_deal_id (timeline), ==, deal);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  g_assert_cmpstr (subject_at (model, 0), ==, "Send quote");
  item = g_list_model_get_item (model, 1);
  g_assert_true (CRM_IS_DEAL_STAGE_HISTORY (item));
  g_assert_null (crm_record_get_string (item, "from_stage_id"));
  g_assert_cmpstr (crm_record_get_string (item, "to_stage_id"), ==, first);
  g_assert_cmpstr (subject_at (model, 2), ==, "Deal call");

  /* A move shows up at once. */
  g_assert_true (crm_deal_move (f->store, deal, second, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  crm_timeline_model_set_kind (timeline, "stage");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  g_clear_object (&item);
  item = g_list_model_get_item (model, 0);
  g_assert_cmpstr (crm_record_get_string (item, "from_stage_id"), ==, first);
  g_assert_cmpstr (crm_record_get_string (item, "to_stage_id"), ==, second);
  crm_timeline_model_set_kind (timeline, "task");
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  STORE_TEST ("/timeline-model/order-and-kinds", test_order_and_kinds);
  STORE_TEST ("/timeline-model/deal", test_deal);

  return g_test_run ();
}

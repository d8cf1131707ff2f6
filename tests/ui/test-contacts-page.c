/* test-contacts-page.c: the Contacts workspace driven through its actions: create, edit, undo, search, filters, bulk edit */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "crm-activity.h"
#include "crm-contact.h"
#include "crm-contact-purchases.h"
#include "crm-purchase.h"
#include "crm-reminders-view.h"
#include "crm-segment.h"
#include "crm-survey.h"
#include "crm-survey-send-dialog.h"
#include "crm-timeline-model.h"
#include "crm-timeline.h"
#include "crm-contact-filter-popover.h"
#include "crm-contact-pane.h"
#include "crm-contacts-page.h"
#include "crm-context.h"
#include "crm-test-ui.h"

typedef struct
{
  char            *dir;
  CrmStore        *store;
  CrmContext      *context;
  GtkWindow       *window;
  CrmContactsPage *page;
} Fixture;

static gboolean
page_started (gpointer page)
{
  return g_strcmp0 (crm_contacts_page_get_list_state (page), "loading") != 0;
}

static gboolean
overdue_counted (gpointer page)
{
  guint overdue = 0;

  g_object_get (page, "overdue-count", &overdue, NULL);
  return overdue > 0;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("crm-ui-test-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "crm.db", NULL);
  f->store = crm_store_open (path, &error);
  g_assert_no_error (error);
  f->context = crm_context_new (f->store, settings);

  f->page = g_object_new (CRM_TYPE_CONTACTS_PAGE, NULL);
  crm_contacts_page_set_context (f->page, f->context);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1200, 800);
  gtk_window_set_child (f->window, GTK_WIDGET (f->page));
  gtk_window_present (f->window);
  /* The page reads its list after the window's first frame. */
  crm_test_ui_wait_until (page_started, f->page);
  crm_test_ui_iterate ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_object_ref (f->page);
  gtk_window_destroy (f->window);
  crm_test_ui_assert_finalized (f->page);

  g_clear_object (&f->context);
  crm_test_ui_assert_finalized (f->store);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static char *
add_contact (Fixture    *f,
             const char *name,
             ...)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(GError) error = NULL;
  const char *field;
  va_list args;

  crm_contact_set_name (contact, name);
  va_start (args, name);
  while ((field = va_arg (args, const char *)) != NULL)
    {
      crm_contact_set_field_from_string (contact, field, va_arg (args, const char *), &error);
      g_assert_no_error (error);
    }
  va_end (args);
  crm_store_insert (f->store, CRM_RECORD (contact), &error);
  g_assert_no_error (error);
  return g_strdup (crm_record_get_id (CRM_RECORD (contact)));
}

static CrmContact *
load (Fixture    *f,
      const char *id)
{
  g_autoptr(GError) error = NULL;
  CrmContact *contact = crm_store_get (f->store, CRM_TYPE_CONTACT, id, &error);

  g_assert_no_error (error);
  return contact;
}

static guint
n_items (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (crm_contacts_page_get_model (f->page)));
}

static void
test_empty_state (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_cmpstr (crm_contacts_page_get_list_state (f->page), ==, "empty");
  g_assert_cmpuint (n_items (f), ==, 0);

  g_free (add_contact (f, "张三", NULL));
  g_assert_cmpstr (crm_contacts_page_get_list_state (f->page), ==, "list");
}

static void
test_create_edit_undo (Fixture       *f,
                       gconstpointer  data)
{
  CrmContactPane *pane = CRM_CONTACT_PANE (crm_contacts_page_get_pane (f->page));
  g_autoptr(CrmContact) contact = NULL;
  g_autofree char *id = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.new", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 1);
  id = g_strdup (crm_contact_pane_get_contact_id (pane));
  g_assert_nonnull (id);

  /* The new row is selected and shown. */
  g_assert_true (gtk_selection_model_is_selected (crm_contacts_page_get_selection (f->page), 0));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "contact.set-field", "(ss)", "name", "王小明"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "contact.set-field", "(ss)", "city", "杭州"));
  crm_test_ui_iterate ();
  contact = load (f, id);
  g_assert_cmpstr (crm_contact_get_name (contact), ==, "王小明");
  g_assert_cmpstr (crm_record_get_string (CRM_RECORD (contact), "city"), ==, "杭州");
  g_assert_null (crm_contact_pane_get_error_message (pane));

  /* Undo takes back the last edit only, at field level. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  crm_test_ui_iterate ();
  g_clear_object (&contact);
  contact = load (f, id);
  g_assert_null (crm_record_get_string (CRM_RECORD (contact), "city"));
  g_assert_cmpstr (crm_contact_get_name (contact), ==, "王小明");

  /* Nothing left to undo: the name stays. */
  gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL);
  crm_test_ui_iterate ();
  g_clear_object (&contact);
  contact = load (f, id);
  g_assert_cmpstr (crm_contact_get_name (contact), ==, "王小明");
  g_assert_false (crm_record_get_deleted (CRM_RECORD (contact)));
}

typedef struct
{
  CrmContactPane *pane;
  const char     *id;
} PaneShows;

static gboolean
pane_shows (gpointer data)
{
  PaneShows *p = data;

  return g_strcmp0 (crm_contact_pane_get_contact_id (p->pane), p->id) == 0;
}

/* Paging through the list: the pane shows the row where the selection
 * stops (a quick run of changes is shown once, at its end). */
static void
test_pane_follows_paging (Fixture       *f,
                          gconstpointer  data)
{
  CrmContactPane *pane = CRM_CONTACT_PANE (crm_contacts_page_get_pane (f->page));
  GtkSelectionModel *selection = crm_contacts_page_get_selection (f->page);
  g_autofree char *a = add_contact (f, "Alice", NULL);
  g_autofree char *b = add_contact (f, "Bob", NULL);
  g_autofree char *c = add_contact (f, "Carol", NULL);
  PaneShows shows = { pane, c };

  gtk_selection_model_select_item (selection, 0, TRUE);
  gtk_selection_model_select_item (selection, 1, TRUE);
  gtk_selection_model_select_item (selection, 2, TRUE);
  crm_test_ui_wait_until (pane_shows, &shows);
  g_assert_cmpstr (crm_contact_pane_get_contact_id (pane), ==, c);

  /* A single change long after is shown at once. */
  g_usleep (200 * 1000);
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_cmpstr (crm_contact_pane_get_contact_id (pane), ==, a);
  g_assert_nonnull (b);
}

static void
test_delete_undo (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *a = add_contact (f, "Alice", NULL);
  g_autofree char *b = add_contact (f, "Bob", NULL);
  GtkSelectionModel *selection = crm_contacts_page_get_selection (f->page);

  gtk_selection_model_select_item (selection, 1, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.delete", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 1);
  {
    g_autoptr(CrmContact) bob = load (f, b);
    g_assert_true (crm_record_get_deleted (CRM_RECORD (bob)));
  }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 2);
}

static void
test_invalid_phone_rejected (Fixture       *f,
                             gconstpointer  data)
{
  CrmContactPane *pane = CRM_CONTACT_PANE (crm_contacts_page_get_pane (f->page));
  g_autofree char *id = add_contact (f, "李四", "phone", "13812345678", NULL);
  g_autoptr(CrmContact) contact = NULL;
  g_auto(GStrv) phones = NULL;

  gtk_selection_model_select_item (crm_contacts_page_get_selection (f->page), 0, TRUE);
  g_assert_cmpstr (crm_contact_pane_get_contact_id (pane), ==, id);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "contact.set-field", "(ss)", "phone", "12-34"));
  crm_test_ui_iterate ();

  /* The reason is shown with the field's name as people read it. */
  g_assert_nonnull (crm_contact_pane_get_error_message (pane));
  g_assert_true (g_str_has_prefix (crm_contact_pane_get_error_message (pane), "Phone: "));

  contact = load (f, id);
  phones = crm_contact_dup_phone_numbers (contact);
  g_assert_cmpstr (phones[0], ==, "+8613812345678");

  /* A valid number then saves and clears the message. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "contact.set-field", "(ss)", "phone", "139 0000 1111"));
  crm_test_ui_iterate ();
  g_assert_null (crm_contact_pane_get_error_message (pane));
  g_clear_object (&contact);
  g_clear_pointer (&phones, g_strfreev);
  contact = load (f, id);
  phones = crm_contact_dup_phone_numbers (contact);
  g_assert_cmpstr (phones[0], ==, "+8613900001111");
}

static gboolean
model_has_n_items (gpointer data)
{
  gpointer *args = data;

  return n_items (args[0]) == GPOINTER_TO_UINT (args[1]);
}

static void
test_search_narrows (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *entry;
  gpointer args[2] = { f, NULL };

  g_free (add_contact (f, "张三丰", "phone", "13812345678", NULL));
  g_free (add_contact (f, "李四", NULL));
  g_free (add_contact (f, "王五", NULL));
  g_assert_cmpuint (n_items (f), ==, 3);

  /* Ctrl+F's action focuses the search entry. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.search", NULL));
  entry = gtk_root_get_focus (GTK_ROOT (f->window));
  g_assert_nonnull (gtk_widget_get_ancestor (entry, GTK_TYPE_SEARCH_ENTRY));
  entry = gtk_widget_get_ancestor (entry, GTK_TYPE_SEARCH_ENTRY);

  /* Typing searches after the entry's short delay, by pinyin initials too. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "zsf");
  args[1] = GUINT_TO_POINTER (1);
  crm_test_ui_wait_until (model_has_n_items, args);
  g_assert_cmpstr (crm_contacts_page_get_list_state (f->page), ==, "list");

  gtk_editable_set_text (GTK_EDITABLE (entry), "nobody-has-this-name");
  args[1] = GUINT_TO_POINTER (0);
  crm_test_ui_wait_until (model_has_n_items, args);
  g_assert_cmpstr (crm_contacts_page_get_list_state (f->page), ==, "no-matches");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.clear-search", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 3);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
}

static gboolean
has_label_containing (GtkWidget  *widget,
                      const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (has_label_containing (child, text))
      return TRUE;
  return FALSE;
}

static void
test_filters_combine (Fixture       *f,
                      gconstpointer  data)
{
  CrmContactListModel *model = crm_contacts_page_get_model (f->page);

  g_free (add_contact (f, "Alice", "gender", "female", "province", "浙江", "tags", "VIP", NULL));
  g_free (add_contact (f, "Beth", "gender", "female", "province", "广东", "tags", "VIP", NULL));
  g_free (add_contact (f, "Carl", "gender", "male", "province", "浙江", NULL));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "gender", "female"));
  g_assert_cmpuint (n_items (f), ==, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "province", "浙江"));
  g_assert_cmpuint (n_items (f), ==, 1);
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 2);

  /* Removing the gender chip leaves the region filter. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.remove-filter", "s", "gender"));
  g_assert_cmpuint (n_items (f), ==, 2);
  g_assert_cmpstr (crm_contact_list_model_get_filter (model, CRM_CONTACT_FILTER_PROVINCE), ==, "浙江");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "tag", "VIP"));
  g_assert_cmpuint (n_items (f), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "province", "广东"));
  g_assert_cmpuint (n_items (f), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "gender", "male"));
  g_assert_cmpuint (n_items (f), ==, 0);
  g_assert_cmpstr (crm_contacts_page_get_list_state (f->page), ==, "no-matches");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.clear-filters", NULL));
  g_assert_cmpuint (n_items (f), ==, 3);
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 0);

  /* A saved segment (from Campaigns) is a chip with its name and count. */
  {
    g_autoptr(CrmSegment) segment = crm_segment_new ();
    g_autoptr(GError) error = NULL;

    g_object_set (segment, "name", "浙江客户",
                  "rule", "{\"all\": [{\"field\": \"province\", \"op\": \"eq\", \"value\": \"浙江\"}]}", NULL);
    crm_store_insert (f->store, CRM_RECORD (segment), &error);
    g_assert_no_error (error);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)",
                                               "segment", crm_record_get_id (CRM_RECORD (segment))));
    g_assert_cmpuint (n_items (f), ==, 2);
    g_assert_true (has_label_containing (GTK_WIDGET (f->page), "浙江客户 (2)"));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.remove-filter", "s", "segment"));
    g_assert_cmpuint (n_items (f), ==, 3);
  }
}

/* "name count" of each value button of the filter menu. */
static void
collect_filter_values (GtkWidget *widget,
                       GString   *out)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "filter-value"))
    {
      GtkWidget *box = gtk_button_get_child (GTK_BUTTON (widget));
      GtkWidget *name = gtk_widget_get_first_child (box);
      GtkWidget *count = gtk_widget_get_last_child (box);

      g_string_append_printf (out, "[%s %s]", gtk_label_get_text (GTK_LABEL (name)),
                              gtk_label_get_text (GTK_LABEL (count)));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_filter_values (child, out);
}

static gboolean
filter_menu_counted (gpointer data)
{
  return !crm_contact_filter_popover_get_counting (data);
}

static void
test_filter_menu_counts (Fixture       *f,
                         gconstpointer  data)
{
  CrmContactFilterPopover *popover =
    CRM_CONTACT_FILTER_POPOVER (crm_test_ui_find_descendant (GTK_WIDGET (f->page), CRM_TYPE_CONTACT_FILTER_POPOVER));
  g_autoptr(CrmSegment) segment = crm_segment_new ();
  g_autoptr(GString) values = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_free (add_contact (f, "Alice", "gender", "female", "province", "浙江", NULL));
  g_free (add_contact (f, "Beth", "gender", "female", "province", "广东", NULL));
  g_free (add_contact (f, "Carl", "gender", "male", "province", "浙江", NULL));
  g_object_set (segment, "name", "浙江客户",
                "rule", "{\"all\": [{\"field\": \"province\", \"op\": \"eq\", \"value\": \"浙江\"}]}", NULL);
  crm_store_insert (f->store, CRM_RECORD (segment), &error);
  g_assert_no_error (error);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "gender", "female"));

  /* Counting happens in threads: the menu opens at once, then fills in. */
  gtk_popover_popup (GTK_POPOVER (popover));
  g_assert_true (crm_contact_filter_popover_get_counting (popover));
  crm_test_ui_wait_until (filter_menu_counted, popover);

  collect_filter_values (GTK_WIDGET (popover), values);
  /* A filter's own values are counted without it; the others with it. */
  g_assert_nonnull (strstr (values->str, "[Female 2]"));
  g_assert_nonnull (strstr (values->str, "[Male 1]"));
  g_assert_nonnull (strstr (values->str, "[浙江 1]"));
  g_assert_nonnull (strstr (values->str, "[广东 1]"));
  g_assert_nonnull (strstr (values->str, "[浙江客户 1]"));

  /* Closed while counting: nothing is left waiting, and it opens again. */
  gtk_popover_popdown (GTK_POPOVER (popover));
  crm_test_ui_iterate ();
  gtk_popover_popup (GTK_POPOVER (popover));
  g_assert_true (crm_contact_filter_popover_get_counting (popover));
  crm_test_ui_iterate ();
  gtk_popover_popdown (GTK_POPOVER (popover));
  g_assert_false (crm_contact_filter_popover_get_counting (popover));
  crm_test_ui_iterate ();
}

static guint
count_lifecycle (Fixture    *f,
                 const char *lifecycle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) facets = crm_contact_list_model_count_facet (crm_contacts_page_get_model (f->page),
                                                                    CRM_CONTACT_FILTER_LIFECYCLE, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < facets->len; i++)
    {
      CrmContactFacet *facet = g_ptr_array_index (facets, i);

      if (g_strcmp0 (facet->value, lifecycle) == 0)
        return facet->count;
    }
  return 0;
}

static void
add_customers (Fixture *f,
               guint    n)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (crm_store_begin (f->store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Customer %04u", i);
      g_free (add_contact (f, name, NULL));
    }
  g_assert_true (crm_store_commit (f->store, &error));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, n);
}

static void
test_bulk_edit_one_undo (Fixture       *f,
                         gconstpointer  data)
{
  GtkSelectionModel *selection = crm_contacts_page_get_selection (f->page);

  add_customers (f, 1000);
  gtk_selection_model_select_all (selection);
  crm_test_ui_iterate ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.bulk-set-lifecycle", "s", "dormant"));
  crm_test_ui_iterate ();
  g_assert_cmpuint (count_lifecycle (f, "dormant"), ==, 1000);

  /* One undo puts back all 1,000 rows. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (count_lifecycle (f, "dormant"), ==, 0);
  g_assert_cmpuint (count_lifecycle (f, "lead"), ==, 1000);
}

static gboolean
page_not_busy (gpointer page)
{
  return !crm_contacts_page_get_busy (page);
}

/* Many rows change in a thread with progress, still one undo step (put
 * back in a thread too); Cancel leaves all or nothing. */
static void
test_bulk_edit_in_background (Fixture       *f,
                              gconstpointer  data)
{
  GtkSelectionModel *selection = crm_contacts_page_get_selection (f->page);
  guint churned;

  crm_contacts_page_set_background_rows (f->page, 10);
  add_customers (f, 200);
  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.bulk-set-lifecycle", "s", "dormant"));
  g_assert_true (crm_contacts_page_get_busy (f->page));
  crm_test_ui_wait_until (page_not_busy, f->page);
  g_assert_cmpuint (count_lifecycle (f, "dormant"), ==, 200);
  g_assert_cmpuint (n_items (f), ==, 200);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  g_assert_true (crm_contacts_page_get_busy (f->page));
  crm_test_ui_wait_until (page_not_busy, f->page);
  g_assert_cmpuint (count_lifecycle (f, "dormant"), ==, 0);
  g_assert_cmpuint (count_lifecycle (f, "lead"), ==, 200);

  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.bulk-set-lifecycle", "s", "churned"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.cancel-bulk", NULL));
  crm_test_ui_wait_until (page_not_busy, f->page);
  churned = count_lifecycle (f, "churned");
  g_assert_true (churned == 0 || churned == 200);

  /* Deleting many: in a thread as well, one undo. */
  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.delete", NULL));
  crm_test_ui_wait_until (page_not_busy, f->page);
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  crm_test_ui_wait_until (page_not_busy, f->page);
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 200);
}

/* The bulk edit menu: Set Owner, Set Lifecycle, then Add Tag and Remove Tag. */
static gboolean
bulk_menu_has_tags_in (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget))
    {
      GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget));
      g_autofree char *label = NULL;

      /* Owner, lifecycle, add tag, remove tag, then "Send Survey…". */
      if (menu != NULL && g_menu_model_get_n_items (menu) == 5 &&
          g_menu_model_get_item_attribute (menu, 2, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        return g_str_equal (label, "_Add Tag");
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (bulk_menu_has_tags_in (child))
      return TRUE;
  return FALSE;
}

static gboolean
bulk_menu_has_tags (gpointer page)
{
  return bulk_menu_has_tags_in (page);
}

static void
test_bulk_tags_and_owner (Fixture       *f,
                          gconstpointer  data)
{
  GtkSelectionModel *selection = crm_contacts_page_get_selection (f->page);
  CrmContactListModel *model = crm_contacts_page_get_model (f->page);
  const char *owner = "0190a0a0-0000-7000-8000-000000000001";

  add_customers (f, 30);
  gtk_selection_model_select_range (selection, 0, 10, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.bulk-add-tag", "s", "VIP"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "tag", "VIP"));
  g_assert_cmpuint (n_items (f), ==, 10);

  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.bulk-set-owner", "s", owner));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.filter", "(ss)", "owner", owner));
  g_assert_cmpuint (n_items (f), ==, 10);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.remove-filter", "s", "owner"));
  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.bulk-remove-tag", "s", "VIP"));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (n_items (f), ==, 10);
  g_assert_cmpuint (crm_contact_list_model_get_n_filters (model), ==, 1);

  /* The bulk menu offers the tags in use once they are counted (in a
   * thread: with a million contacts that takes seconds). */
  gtk_selection_model_unselect_all (selection);
  crm_test_ui_iterate ();
  gtk_selection_model_select_range (selection, 0, 2, TRUE);
  crm_test_ui_wait_until (bulk_menu_has_tags, f->page);
}

static gboolean
survey_sent (gpointer dialog)
{
  return !crm_survey_send_dialog_is_busy (dialog);
}

/* The chosen customers get the Surveys workspace's send dialog, for the
 * open survey; printed forms go to them only. */
static void
test_send_survey_to_selected (Fixture       *f,
                              gconstpointer  data)
{
  GtkSelectionModel *selection = crm_contacts_page_get_selection (f->page);
  g_autoptr(CrmSurvey) survey = crm_survey_new ();
  g_autofree char *path = g_build_filename (f->dir, "forms.pdf", NULL);
  g_autoptr(GError) error = NULL;
  CrmSurveySendDialog *dialog = NULL;
  GListModel *toplevels;

  add_customers (f, 5);
  g_object_set (survey, "title", "满意度回访", "status", "open", NULL);
  g_assert_true (crm_store_insert (f->store, CRM_RECORD (survey), &error));

  gtk_selection_model_select_range (selection, 1, 2, TRUE);
  crm_test_ui_iterate ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.send-survey", NULL));
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CRM_IS_SURVEY_SEND_DIALOG (window))
        dialog = CRM_SURVEY_SEND_DIALOG (window);
    }
  g_assert_nonnull (dialog);
  g_assert_cmpstr (crm_survey_send_dialog_get_survey_id (dialog), ==, crm_record_get_id (CRM_RECORD (survey)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == f->window);

  g_assert_true (crm_survey_send_dialog_start (dialog, NULL, "letter", path));
  crm_test_ui_wait_until (survey_sent, dialog);
  g_assert_cmpstr (crm_survey_send_dialog_get_summary (dialog), ==, "2 forms printed.");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  gtk_window_destroy (GTK_WINDOW (dialog));
  crm_test_ui_iterate ();
}

static void
test_timeline_and_purchases (Fixture       *f,
                             gconstpointer  data)
{
  CrmContactPane *pane = CRM_CONTACT_PANE (crm_contacts_page_get_pane (f->page));
  GtkWidget *timeline = crm_contact_pane_get_timeline (pane);
  CrmContactPurchases *purchases = CRM_CONTACT_PURCHASES (crm_contact_pane_get_purchases (pane));
  GListModel *items;
  g_autofree char *id = add_contact (f, "赵六", NULL);
  g_autoptr(CrmPurchase) purchase = crm_purchase_new ();
  g_autoptr(CrmRecord) task = NULL;
  g_autoptr(GError) error = NULL;

  gtk_selection_model_select_item (crm_contacts_page_get_selection (f->page), 0, TRUE);
  items = G_LIST_MODEL (crm_timeline_get_model (CRM_TIMELINE (timeline)));
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 0);
  g_assert_cmpstr (crm_contact_purchases_get_figure (purchases, "orders"), ==, "0");

  /* Quick-add a call; it can be undone like any edit. */
  g_assert_true (gtk_widget_activate_action (timeline, "timeline.add", "(ss)", "call", "Asked about the new tea"));
  crm_test_ui_iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 0);

  /* A task is due later and can be ticked off. */
  g_assert_true (gtk_widget_activate_action (timeline, "timeline.add", "(ss)", "task", "Send the catalogue"));
  crm_test_ui_iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 1);
  task = g_list_model_get_item (items, 0);
  g_assert_nonnull (crm_record_get_string (task, "due_at"));
  g_assert_null (crm_record_get_string (task, "done_at"));
  g_assert_true (gtk_widget_activate_action (timeline, "timeline.toggle-done", "s", crm_record_get_id (task)));
  crm_test_ui_iterate ();
  g_clear_object (&task);
  task = g_list_model_get_item (items, 0);
  g_assert_nonnull (crm_record_get_string (task, "done_at"));

  /* A purchase shows in the timeline and in the figures. */
  crm_record_set_field_from_string (CRM_RECORD (purchase), "contact_id", id, &error);
  crm_record_set_field_from_string (CRM_RECORD (purchase), "product", "龙井茶", &error);
  crm_record_set_field_from_string (CRM_RECORD (purchase), "amount", "1288.00", &error);
  crm_record_set_field_from_string (CRM_RECORD (purchase), "purchased_at", "2020-01-01T08:00:00Z", &error);
  g_assert_no_error (error);
  crm_store_insert (f->store, CRM_RECORD (purchase), &error);
  g_assert_no_error (error);
  crm_test_ui_iterate ();
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 2);
  g_assert_cmpstr (crm_contact_purchases_get_figure (purchases, "orders"), ==, "1");
  g_assert_cmpstr (crm_contact_purchases_get_figure (purchases, "total"), ==, "¥1,288.00");
  g_assert_cmpstr (crm_contact_purchases_get_figure (purchases, "average"), ==, "¥1,288.00");

  /* The kind filter narrows the timeline. */
  crm_timeline_model_set_kind (crm_timeline_get_model (CRM_TIMELINE (timeline)), "purchase");
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 1);
}

static void
on_task_due (CrmContactsPage *page,
             CrmRecord       *task,
             GNotification   *notification,
             GPtrArray       *seen)
{
  g_assert_true (G_IS_NOTIFICATION (notification));
  g_ptr_array_add (seen, g_strdup (crm_record_get_string (task, "subject")));
}

static void
test_tasks_due_and_birthdays (Fixture       *f,
                              gconstpointer  data)
{
  CrmRemindersView *reminders = CRM_REMINDERS_VIEW (crm_test_ui_find_descendant (GTK_WIDGET (f->page), CRM_TYPE_REMINDERS_VIEW));
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *birthday = g_date_time_format (now, "1990-%m-%d");
  g_autofree char *id = add_contact (f, "钱七", "birthday", birthday, NULL);
  g_autoptr(CrmActivity) task = crm_activity_new ();
  g_autoptr(CrmTimelineModel) timeline = crm_timeline_model_new (f->store);
  g_autoptr(GError) error = NULL;

  crm_record_set_field_from_string (CRM_RECORD (task), "contact_id", id, &error);
  crm_record_set_field_from_string (CRM_RECORD (task), "kind", "task", &error);
  crm_record_set_field_from_string (CRM_RECORD (task), "subject", "Call back about the order", &error);
  crm_record_set_field_from_string (CRM_RECORD (task), "due_at", "2030-01-01T09:00:00Z", &error);
  g_assert_no_error (error);
  crm_store_insert (f->store, CRM_RECORD (task), &error);
  g_assert_no_error (error);
  crm_test_ui_iterate ();

  /* My tasks: due in 2030 is upcoming; the birthday is today. Shown from
   * the button, they are read then even if the frame after the list's
   * (which starts them otherwise) has not come yet. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.show-reminders", NULL));
  crm_reminders_view_reload (reminders);
  g_assert_cmpuint (crm_reminders_view_count (reminders, "upcoming"), ==, 1);
  g_assert_cmpuint (crm_reminders_view_count (reminders, "overdue"), ==, 0);
  g_assert_cmpuint (crm_reminders_view_count (reminders, "birthdays"), ==, 1);

  /* The notification path: once when the task comes due, never again. */
  g_signal_connect (f->page, "task-due", G_CALLBACK (on_task_due), seen);
  g_assert_cmpuint (crm_contacts_page_check_due_tasks (f->page, "2030-01-01T08:59:30Z"), ==, 0);
  g_assert_cmpuint (crm_contacts_page_check_due_tasks (f->page, "2030-01-01T09:00:00Z"), ==, 1);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "Call back about the order");
  g_assert_cmpuint (crm_contacts_page_check_due_tasks (f->page, "2030-01-01T09:00:30Z"), ==, 0);
  g_assert_cmpuint (seen->len, ==, 1);
  {
    guint overdue = 0;

    g_object_get (f->page, "overdue-count", &overdue, NULL);
    g_assert_cmpuint (overdue, ==, 1);
  }

  /* The notification's action opens the contact. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.show-contact", "s", id));
  g_assert_cmpstr (crm_contact_pane_get_contact_id (CRM_CONTACT_PANE (crm_contacts_page_get_pane (f->page))), ==, id);

  /* Done from My tasks; greetings logged from the birthday list, undoable. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (reminders), "reminders.complete", "s",
                                             crm_record_get_id (CRM_RECORD (task))));
  crm_reminders_view_reload (reminders);
  g_assert_cmpuint (crm_reminders_view_count (reminders, "upcoming"), ==, 0);

  crm_timeline_model_set_contact_id (timeline, id);
  crm_timeline_model_set_kind (timeline, "email");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (reminders), "reminders.greet", "s", id));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (timeline)), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.undo", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (timeline)), ==, 0);
}

/* Nothing is read before the window shows its first frame: then the list,
 * My Tasks and the overdue count (the sidebar's badge) all arrive. */
static void
test_reads_after_first_frame (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CrmActivity) task = crm_activity_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = add_contact (f, "孙八", NULL);
  CrmContactsPage *page;
  GtkWindow *window;
  guint overdue = G_MAXUINT;

  crm_record_set_field_from_string (CRM_RECORD (task), "contact_id", id, &error);
  crm_record_set_field_from_string (CRM_RECORD (task), "kind", "task", &error);
  crm_record_set_field_from_string (CRM_RECORD (task), "subject", "Overdue call", &error);
  crm_record_set_field_from_string (CRM_RECORD (task), "due_at", "2001-01-01T09:00:00Z", &error);
  g_assert_no_error (error);
  crm_store_insert (f->store, CRM_RECORD (task), &error);
  g_assert_no_error (error);

  page = g_object_new (CRM_TYPE_CONTACTS_PAGE, NULL);
  crm_contacts_page_set_context (page, f->context);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (window, GTK_WIDGET (page));
  crm_test_ui_iterate ();
  g_assert_cmpstr (crm_contacts_page_get_list_state (page), ==, "loading");
  g_assert_false (crm_contact_list_model_get_started (crm_contacts_page_get_model (page)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crm_contacts_page_get_model (page))), ==, 0);
  g_object_get (page, "overdue-count", &overdue, NULL);
  g_assert_cmpuint (overdue, ==, 0);

  gtk_window_present (window);
  crm_test_ui_wait_until (page_started, page);
  g_assert_cmpstr (crm_contacts_page_get_list_state (page), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (crm_contacts_page_get_model (page))), ==, 1);
  /* My Tasks and the count come a frame after the list. */
  crm_test_ui_wait_until (overdue_counted, page);
  g_object_get (page, "overdue-count", &overdue, NULL);
  g_assert_cmpuint (overdue, ==, 1);

  crm_test_ui_destroy_window (window);
  crm_test_ui_iterate ();
}

static GtkColumnView *
column_view_of (CrmContactsPage *page)
{
  return GTK_COLUMN_VIEW (crm_test_ui_find_descendant (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
}

static GtkColumnViewColumn *
column_titled (CrmContactsPage *page,
               const char      *title)
{
  GListModel *columns = gtk_column_view_get_columns (column_view_of (page));

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (column), title) == 0)
        return column;
    }
  g_assert_not_reached ();
}

static gboolean
owner_width_saved (gpointer settings)
{
  g_autoptr(GVariant) widths = g_settings_get_value (settings, "contacts-column-widths");
  int width = 0;

  return g_variant_lookup (widths, "owner", "i", &width) && width == 222;
}

/* Columns shown, their widths and the sort are remembered for the next
 * window; a search shows its results best first without losing the sort. */
static void
test_columns_remembered (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("com.example.Crm");
  CrmContactListModel *model = crm_contacts_page_get_model (f->page);
  g_autofree char *sort_id = NULL;
  gboolean descending = FALSE;
  CrmContactsPage *page;
  GtkWindow *window;
  GtkWidget *entry;
  gpointer args[2] = { f, GUINT_TO_POINTER (1) };

  g_free (add_contact (f, "Alice", "province", "浙江", NULL));
  g_free (add_contact (f, "Bob", "province", "广东", NULL));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "columns.email", NULL));
  g_assert_true (gtk_column_view_column_get_visible (column_titled (f->page, "Email")));
  gtk_column_view_column_set_fixed_width (column_titled (f->page, "Owner"), 222);
  gtk_column_view_sort_by_column (column_view_of (f->page), column_titled (f->page, "Region"), GTK_SORT_DESCENDING);
  g_assert_cmpint (crm_contact_list_model_get_sort (model), ==, CRM_CONTACT_SORT_REGION);
  g_assert_true (crm_contact_list_model_get_descending (model));

  /* Searching: no column claims the order; the sort comes back after. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.search", NULL));
  entry = gtk_widget_get_ancestor (gtk_root_get_focus (GTK_ROOT (f->window)), GTK_TYPE_SEARCH_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), "Alice");
  crm_test_ui_wait_until (model_has_n_items, args);
  g_assert_cmpint (gtk_sorter_get_order (gtk_column_view_get_sorter (column_view_of (f->page))), ==, GTK_SORTER_ORDER_NONE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "contacts.clear-search", NULL));
  crm_test_ui_iterate ();
  g_assert_cmpint (crm_contact_list_model_get_sort (model), ==, CRM_CONTACT_SORT_REGION);
  g_assert_true (crm_contact_list_model_get_descending (model));
  g_assert_cmpint (gtk_sorter_get_order (gtk_column_view_get_sorter (column_view_of (f->page))), !=, GTK_SORTER_ORDER_NONE);

  crm_test_ui_wait_until (owner_width_saved, settings);
  g_settings_get (settings, "contacts-sort", "(sb)", &sort_id, &descending);
  g_assert_cmpstr (sort_id, ==, "region");
  g_assert_true (descending);

  /* The next window opens the same way. */
  page = g_object_new (CRM_TYPE_CONTACTS_PAGE, NULL);
  crm_contacts_page_set_context (page, f->context);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (window, GTK_WIDGET (page));
  gtk_window_present (window);
  crm_test_ui_wait_until (page_started, page);
  g_assert_true (gtk_column_view_column_get_visible (column_titled (page, "Email")));
  g_assert_cmpint (gtk_column_view_column_get_fixed_width (column_titled (page, "Owner")), ==, 222);
  g_assert_cmpint (crm_contact_list_model_get_sort (crm_contacts_page_get_model (page)), ==, CRM_CONTACT_SORT_REGION);
  g_assert_true (crm_contact_list_model_get_descending (crm_contacts_page_get_model (page)));
  {
    g_autoptr(CrmContact) first = g_list_model_get_item (G_LIST_MODEL (crm_contacts_page_get_model (page)), 0);
    g_assert_cmpstr (crm_contact_get_name (first), ==, "Alice");   /* 浙江 after 广东 */
  }
  crm_test_ui_destroy_window (window);
  crm_test_ui_iterate ();

  /* The other tests start from the defaults. */
  g_settings_reset (settings, "contacts-columns");
  g_settings_reset (settings, "contacts-column-widths");
  g_settings_reset (settings, "contacts-sort");
}

int
main (int   argc,
      char *argv[])
{
  crm_test_ui_init (&argc, &argv);

#define PAGE_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  PAGE_TEST ("/contacts-page/empty-state", test_empty_state);
  PAGE_TEST ("/contacts-page/create-edit-undo", test_create_edit_undo);
  PAGE_TEST ("/contacts-page/delete-undo", test_delete_undo);
  PAGE_TEST ("/contacts-page/pane-follows-paging", test_pane_follows_paging);
  PAGE_TEST ("/contacts-page/invalid-phone-rejected", test_invalid_phone_rejected);
  PAGE_TEST ("/contacts-page/search-narrows", test_search_narrows);
  PAGE_TEST ("/contacts-page/filters-combine", test_filters_combine);
  PAGE_TEST ("/contacts-page/filter-menu-counts", test_filter_menu_counts);
  PAGE_TEST ("/contacts-page/bulk-edit-one-undo", test_bulk_edit_one_undo);
  PAGE_TEST ("/contacts-page/bulk-tags-and-owner", test_bulk_tags_and_owner);
  PAGE_TEST ("/contacts-page/bulk-edit-in-background", test_bulk_edit_in_background);
  PAGE_TEST ("/contacts-page/send-survey-to-selected", test_send_survey_to_selected);
  PAGE_TEST ("/contacts-page/timeline-and-purchases", test_timeline_and_purchases);
  PAGE_TEST ("/contacts-page/tasks-due-and-birthdays", test_tasks_due_and_birthdays);
  PAGE_TEST ("/contacts-page/reads-after-first-frame", test_reads_after_first_frame);
  PAGE_TEST ("/contacts-page/columns-remembered", test_columns_remembered);

  return g_test_run ();
}

/* crm-contacts-page.c: the Contacts workspace: searchable, filterable list of contacts beside one contact */

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "crm-change-set.h"
#include "crm-contact.h"
#include "crm-contact-filter-popover.h"
#include "crm-contact-labels.h"
#include "crm-contact-pane.h"
#include "crm-contacts-page.h"
#include "crm-reminders.h"
#include "crm-reminders-view.h"
#include "crm-segment.h"
#include "crm-survey-send-dialog.h"
#include "crm-tooltip.h"
#include "crm-user-directory.h"

typedef enum
{
  COLUMN_NAME,
  COLUMN_ORGANIZATION,
  COLUMN_PHONE,
  COLUMN_EMAIL,
  COLUMN_REGION,
  COLUMN_LIFECYCLE,
  COLUMN_OWNER,
  COLUMN_LAST_PURCHASE,
  COLUMN_TOTAL_SPENT,
  N_COLUMNS
} ColumnId;

static const struct {
  const char *id;
  const char *title;
  int         sort;       /* CrmContactSort, or -1 */
  gboolean    expand;
  gboolean    numeric;
  int         width;
} column_info[N_COLUMNS] = {
  [COLUMN_NAME] = { "name", N_("Name"), CRM_CONTACT_SORT_NAME, TRUE, FALSE, 160 },
  [COLUMN_ORGANIZATION] = { "organization", N_("Organization"), -1, TRUE, FALSE, 120 },
  [COLUMN_PHONE] = { "phone", N_("Phone"), -1, FALSE, TRUE, 120 },
  [COLUMN_EMAIL] = { "email", N_("Email"), -1, TRUE, FALSE, 160 },
  [COLUMN_REGION] = { "region", N_("Region"), CRM_CONTACT_SORT_REGION, FALSE, FALSE, 110 },
  [COLUMN_LIFECYCLE] = { "lifecycle", N_("Lifecycle"), CRM_CONTACT_SORT_LIFECYCLE, FALSE, FALSE, 100 },
  [COLUMN_OWNER] = { "owner", N_("Owner"), -1, FALSE, FALSE, 90 },
  [COLUMN_LAST_PURCHASE] = { "last-purchase", N_("Last purchase"), CRM_CONTACT_SORT_LAST_PURCHASE, FALSE, TRUE, 110 },
  [COLUMN_TOTAL_SPENT] = { "total-spent", N_("Total spent"), CRM_CONTACT_SORT_TOTAL_SPENT, FALSE, TRUE, 110 },
};

/* Shown when nothing is saved about which columns someone wants. */
static const gboolean column_visible_default[N_COLUMNS] = {
  TRUE, TRUE, TRUE, FALSE, TRUE, TRUE, TRUE, FALSE, TRUE,
};

typedef enum
{
  BULK_SET_OWNER,
  BULK_ADD_TAG,
  BULK_REMOVE_TAG,
  BULK_SET_LIFECYCLE,
  BULK_DELETE,
} BulkEdit;

typedef struct
{
  CrmContactsPage *page;
  ColumnId         column;
} SortProbe;

struct _CrmContactsPage
{
  GtkWidget             parent_instance;

  CrmContext           *context;
  CrmContactListModel  *model;
  GtkMultiSelection    *selection;
  GtkColumnViewColumn  *columns[N_COLUMNS];
  SortProbe             probes[N_COLUMNS];
  int                   probed_column;
  GHashTable           *owner_names;         /* user id → name */
  GHashTable           *organization_names;  /* contact id → name */
  GHashTable           *bound_cells;         /* GtkListItem → its factory */
  CrmChangeSet         *undo;
  AdwToast             *undo_toast;
  GSimpleActionGroup   *column_actions;
  GSettings            *settings;
  guint                 save_widths_timeout;
  gboolean              restoring_columns;  /* applying settings: save nothing */
  gboolean              rank_order;         /* searching: the columns show no sort */
  int                   saved_sort_column;  /* the column sort to return to after a search */
  gboolean              saved_sort_descending;

  /* Template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkWidget            *list_side;
  GtkSearchEntry       *search_entry;
  GtkMenuButton        *filter_button;
  CrmContactFilterPopover *filter_popover;
  GtkMenuButton        *columns_button;
  GtkFlowBox           *chips;
  GtkStack             *list_stack;
  GtkColumnView        *column_view;
  AdwStatusPage        *no_matches_page;
  GtkLabel             *count_label;
  GtkWidget            *bulk_box;
  GtkMenuButton        *bulk_button;
  GtkStack             *detail_stack;
  CrmRemindersView     *reminders;
  CrmContactPane       *pane;

  guint                 due_timer;
  char                 *due_checked_until;
  guint                 overdue_count;

  /* The list, reminders and due tasks are read after the window's first
   * frame, so a large database does not hold up the start. */
  gboolean              started;
  GtkWidget            *watched_root;
  GdkFrameClock        *watched_clock;
  guint                 start_idle;
  /* My Tasks and the due check come one frame after the list: building
   * their rows took longer than reading the list's first page. */
  gboolean              tasks_started;
  /* Paging through the list (a key held down) shows the contact where it
   * stops, not each one passed (that was most of a frame). */
  gint64                last_selection_change;
  guint                 pane_timeout;

  /* A bulk edit, delete or undo of more than background_rows rows runs
   * in a thread on its own store, with progress and Cancel. */
  guint                 background_rows;
  GCancellable         *bulk_cancellable;   /* non-NULL while one runs */
  GCancellable         *bulk_tags_cancellable; /* the bulk menu's tags being counted */
  gpointer              bulk_job;           /* BulkJob, owned by its task */
  guint                 bulk_progress_timer;
  GtkWidget            *bulk_progress_box;
  GtkProgressBar       *bulk_progress;
  GdkFrameClock         *tasks_clock;
  guint                 tasks_idle;
};

G_DEFINE_FINAL_TYPE (CrmContactsPage, crm_contacts_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_LIST_STATE,
  PROP_OVERDUE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  TASK_DUE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How often tasks coming due are looked for while the app runs. */
#define DUE_CHECK_SECONDS 30

/* How long the selection rests before the pane follows a quick run of changes. */
#define PANE_SETTLE_MS 150

/* More selected rows than this are edited in a thread. */
#define BACKGROUND_ROWS 2000

static void update_actions (CrmContactsPage *self);
static void save_visible_columns (CrmContactsPage *self);
static void update_rank_order (CrmContactsPage *self);
static void ensure_started (CrmContactsPage *self);
static gboolean bulk_in_background (CrmContactsPage *self,
                                    BulkEdit         edit,
                                    const char      *value);
static void start_bulk_undo (CrmContactsPage *self,
                             CrmChangeSet    *undo);
static void start_tasks (CrmContactsPage *self);
static void watch_first_frame (CrmContactsPage *self);
static void unwatch_first_frame (CrmContactsPage *self);
static gboolean due_timer_cb (gpointer user_data);

static CrmStore *
get_store (CrmContactsPage *self)
{
  return self->context != NULL ? crm_context_get_store (self->context) : NULL;
}

static void
on_undo_toast_dismissed (AdwToast        *toast,
                         CrmContactsPage *self)
{
  if (self->undo_toast == toast)
    g_clear_object (&self->undo_toast);
}

/* Offers to undo @undo (when given) until the next change replaces it.
 * One undo toast is reused rather than dismissed and added again:
 * libadwaita 1.2 crashes when a toast is dismissed during its animation. */
static void
show_toast (CrmContactsPage *self,
            const char      *title,
            CrmChangeSet    *undo)
{
  AdwToast *toast;

  if (undo == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
      return;
    }

  g_set_object (&self->undo, undo);
  update_actions (self);

  if (self->undo_toast != NULL)
    {
      adw_toast_set_title (self->undo_toast, title);
      return;
    }

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "contacts.undo");
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_undo_toast_dismissed), self, 0);
  self->undo_toast = g_object_ref (toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_error (CrmContactsPage *self,
            const GError    *error)
{
  AdwToast *toast = adw_toast_new (error->message);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* --- Cells ----------------------------------------------------------------- */

static const char *
owner_name (CrmContactsPage *self,
            const char      *owner_id)
{
  if (owner_id == NULL)
    return NULL;
  if (self->owner_names == NULL && get_store (self) != NULL)
    {
      g_autoptr(GPtrArray) users = crm_user_directory_list (get_store (self), NULL);

      self->owner_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (guint i = 0; users != NULL && i < users->len; i++)
        {
          CrmUserEntry *user = g_ptr_array_index (users, i);
          g_hash_table_insert (self->owner_names, g_strdup (user->id), g_strdup (user->name));
        }
    }
  return self->owner_names ? g_hash_table_lookup (self->owner_names, owner_id) : NULL;
}

static const char *
organization_name (CrmContactsPage *self,
                   const char      *organization_id)
{
  const char *name;

  if (organization_id == NULL || get_store (self) == NULL)
    return NULL;

  if (self->organization_names == NULL)
    self->organization_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  name = g_hash_table_lookup (self->organization_names, organization_id);
  if (name == NULL)
    {
      g_autoptr(CrmContact) organization = crm_store_get (get_store (self), CRM_TYPE_CONTACT, organization_id, NULL);

      name = organization != NULL ? crm_contact_get_name (organization) : "";
      g_hash_table_insert (self->organization_names, g_strdup (organization_id), g_strdup (name));
      name = g_hash_table_lookup (self->organization_names, organization_id);
    }
  return name;
}

static char *
cell_text (CrmContactsPage *self,
           ColumnId         column,
           CrmContact      *contact)
{
  CrmRecord *record = CRM_RECORD (contact);

  switch (column)
    {
    case COLUMN_NAME:
      return g_strdup (crm_contact_get_name (contact));

    case COLUMN_ORGANIZATION:
      return g_strdup (organization_name (self, crm_record_get_string (record, "organization_id")));

    case COLUMN_PHONE:
      {
        g_auto(GStrv) phones = crm_contact_dup_phone_numbers (contact);
        return crm_format_phone (phones[0]);
      }

    case COLUMN_EMAIL:
      {
        const char * const *emails = crm_contact_get_emails (contact);
        return g_strdup (emails != NULL ? emails[0] : NULL);
      }

    case COLUMN_REGION:
      {
        const char *province = crm_record_get_string (record, "province");
        const char *city = crm_record_get_string (record, "city");

        if (province != NULL && city != NULL && !g_str_equal (province, city))
          /* Translators: province and city, as in 浙江 杭州 */
          return g_strdup_printf (C_("region", "%s %s"), province, city);
        return g_strdup (city != NULL ? city : province);
      }

    case COLUMN_LIFECYCLE:
      return g_strdup (crm_value_label (crm_lifecycle_labels, crm_contact_get_lifecycle (contact)));

    case COLUMN_OWNER:
      return g_strdup (owner_name (self, crm_record_get_owner_id (record)));

    case COLUMN_LAST_PURCHASE:
      return crm_format_date (crm_record_get_string (record, "last_purchase_at"));

    case COLUMN_TOTAL_SPENT:
      if (crm_record_get_int64 (record, "purchase_count") == 0)
        return NULL;
      return crm_format_money (crm_record_get_int64 (record, "total_spent"), NULL);

    case N_COLUMNS:
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Markup that shows in bold where @query occurs in @text (ignoring ASCII
 * case, and for a number the spaces it is written with), so a search
 * result says why it matched; NULL when it does not occur. */
static char *
highlight_markup (const char *text,
                  const char *query)
{
  g_autofree char *lower = NULL;
  g_autofree char *needle = NULL;
  const char *found;
  gsize start = 0, end = 0;

  if (text == NULL || query == NULL || *query == '\0')
    return NULL;

  lower = g_ascii_strdown (text, -1);
  needle = g_ascii_strdown (query, -1);
  g_strstrip (needle);
  found = *needle != '\0' ? strstr (lower, needle) : NULL;
  if (found != NULL)
    {
      start = found - lower;
      end = start + strlen (needle);
    }
  else
    {
      g_autoptr(GString) digits = g_string_new (NULL);

      for (const char *q = needle; *q != '\0'; q++)
        if (g_ascii_isdigit (*q))
          g_string_append_c (digits, *q);
        else if (*q != ' ' && *q != '-' && *q != '+')
          return NULL;
      if (digits->len < 3)
        return NULL;

      /* Walk the text's digits, skipping the spaces of "138 1234 5678". */
      for (gsize i = 0; text[i] != '\0' && end == 0; i++)
        {
          gsize j = i, k = 0;

          if (!g_ascii_isdigit (text[i]))
            continue;
          while (text[j] != '\0' && k < digits->len)
            {
              if (text[j] == digits->str[k])
                k++;
              else if (text[j] != ' ')
                break;
              j++;
            }
          if (k == digits->len)
            {
              start = i;
              end = j;
            }
        }
      if (end == 0)
        return NULL;
    }

  {
    g_autofree char *before = g_markup_escape_text (text, start);
    g_autofree char *match = g_markup_escape_text (text + start, end - start);
    g_autofree char *after = g_markup_escape_text (text + end, -1);

    return g_strdup_printf ("%s<b>%s</b>%s", before, match, after);
  }
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            CrmContactsPage          *self)
{
  ColumnId column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "crm-column"));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), column_info[column].numeric ? 1.0 : 0.0);
  if (column_info[column].numeric)
    gtk_widget_add_css_class (label, "numeric");

  if (column == COLUMN_NAME)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *icon = gtk_image_new_from_icon_name ("x-office-address-book-symbolic");

      crm_tooltip_set_text (icon, _("Organization"));
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_list_item_set_child (item, box);
      return;
    }
  if (column == COLUMN_LIFECYCLE)
    {
      gtk_widget_set_halign (label, GTK_ALIGN_START);
      gtk_widget_add_css_class (label, "lifecycle-badge");
    }

  gtk_list_item_set_child (item, label);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             CrmContactsPage          *self)
{
  if (self->bound_cells != NULL)
    g_hash_table_remove (self->bound_cells, item);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           CrmContactsPage          *self)
{
  ColumnId column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "crm-column"));
  CrmContact *contact = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *text = cell_text (self, column, contact);
  GtkWidget *label = child;

  g_hash_table_insert (self->bound_cells, item, factory);

  if (column == COLUMN_NAME)
    {
      GtkWidget *icon = gtk_widget_get_first_child (child);

      label = gtk_widget_get_next_sibling (icon);
      gtk_widget_set_visible (icon, g_strcmp0 (crm_contact_get_kind (contact), "organization") == 0);
    }
  if (column == COLUMN_LIFECYCLE)
    {
      const char *lifecycle = crm_contact_get_lifecycle (contact);

      for (guint i = 0; crm_lifecycle_labels[i].value != NULL; i++)
        {
          g_autofree char *css = g_strconcat ("lifecycle-", crm_lifecycle_labels[i].value, NULL);

          if (g_strcmp0 (lifecycle, crm_lifecycle_labels[i].value) == 0)
            gtk_widget_add_css_class (label, css);
          else
            gtk_widget_remove_css_class (label, css);
        }
    }

  if (column == COLUMN_NAME || column == COLUMN_ORGANIZATION || column == COLUMN_PHONE ||
      column == COLUMN_EMAIL || column == COLUMN_REGION)
    {
      g_autofree char *markup = highlight_markup (text, crm_contact_list_model_get_query (self->model));

      if (markup != NULL)
        {
          gtk_label_set_markup (GTK_LABEL (label), markup);
          return;
        }
    }

  gtk_label_set_use_markup (GTK_LABEL (label), FALSE);
  gtk_label_set_label (GTK_LABEL (label), text != NULL ? text : "");
}

/* --- Sorting --------------------------------------------------------------- */

/* GTK 4.8 cannot tell which column a GtkColumnView sorts by. Each sortable
 * column gets a sorter that records itself and says "smaller"; comparing
 * two items with the view's sorter then reveals the primary column, and
 * the sign its direction. The SQL of the model does the real sorting. */
static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SortProbe *probe = user_data;

  if (probe->page->probed_column < 0)
    probe->page->probed_column = probe->column;
  return GTK_ORDERING_SMALLER;
}

static void
on_sorter_changed (CrmContactsPage *self)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  g_autoptr(GObject) a = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GObject) b = g_object_new (G_TYPE_OBJECT, NULL);
  GtkOrdering ordering;

  if (self->model == NULL || self->rank_order)
    return;

  self->probed_column = -1;
  ordering = gtk_sorter_compare (sorter, a, b);
  if (self->settings != NULL && !self->restoring_columns && self->probed_column >= 0 &&
      ordering != GTK_ORDERING_EQUAL)
    g_settings_set (self->settings, "contacts-sort", "(sb)",
                    column_info[self->probed_column].id, ordering == GTK_ORDERING_LARGER);
  if (self->probed_column < 0 || ordering == GTK_ORDERING_EQUAL)
    crm_contact_list_model_set_sort (self->model, CRM_CONTACT_SORT_NAME, FALSE);
  else
    crm_contact_list_model_set_sort (self->model, column_info[self->probed_column].sort,
                                     ordering == GTK_ORDERING_LARGER);
}

/* --- List state ------------------------------------------------------------ */

static guint
n_selected (CrmContactsPage *self)
{
  g_autoptr(GtkBitset) selected = NULL;

  if (self->selection == NULL)
    return 0;
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return (guint) gtk_bitset_get_size (selected);
}

static GPtrArray *
selected_ids (CrmContactsPage *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GtkBitset) selected = NULL;
  GtkBitsetIter iter;
  guint position;

  if (self->selection != NULL)
    {
      selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
      for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
           ok;
           ok = gtk_bitset_iter_next (&iter, &position))
        {
          g_autoptr(CrmContact) contact = g_list_model_get_item (G_LIST_MODEL (self->model), position);

          if (contact != NULL && crm_record_get_id (CRM_RECORD (contact)) != NULL)
            g_ptr_array_add (ids, g_strdup (crm_record_get_id (CRM_RECORD (contact))));
        }
    }

  /* Nothing selected in the list: the contact on show. */
  if (ids->len == 0 && crm_contact_pane_get_contact_id (self->pane) != NULL)
    g_ptr_array_add (ids, g_strdup (crm_contact_pane_get_contact_id (self->pane)));

  return g_steal_pointer (&ids);
}

static void
update_list_state (CrmContactsPage *self)
{
  const char *state = "list";
  guint n_items = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  const char *query = self->model ? crm_contact_list_model_get_query (self->model) : NULL;
  guint n_filters = self->model ? crm_contact_list_model_get_n_filters (self->model) : 0;
  guint selected = n_selected (self);
  g_autofree char *count = NULL;

  /* Until the first read, the list shows its headers and no verdict. */
  if (!self->started)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      gtk_label_set_label (self->count_label, "");
      gtk_widget_set_visible (self->bulk_box, FALSE);
      return;
    }

  if (n_items == 0 && (query != NULL || n_filters > 0))
    {
      g_autofree char *description = NULL;

      state = "no-matches";
      if (query != NULL)
        description = g_strdup_printf (_("Nothing matches “%s”. Check the spelling, search by phone or pinyin, or clear the search."), query);
      else
        description = g_strdup (_("No contact matches all the filters. Remove a filter or clear them all."));
      adw_status_page_set_description (self->no_matches_page, description);
    }
  else if (n_items == 0)
    state = "empty";

  if (!g_str_equal (gtk_stack_get_visible_child_name (self->list_stack), state))
    {
      gtk_stack_set_visible_child_name (self->list_stack, state);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST_STATE]);
    }

  /* %'u groups thousands as the locale does: 12,345 contacts. */
  if (selected > 1)
    count = g_strdup_printf (ngettext ("%'u of %'u contact selected", "%'u of %'u contacts selected", n_items),
                             selected, n_items);
  else if (query != NULL && self->model != NULL && crm_contact_list_model_get_total (self->model) > n_items)
    count = g_strdup_printf (ngettext ("Best %'u of %'u match", "Best %'u of %'u matches",
                                       crm_contact_list_model_get_total (self->model)),
                             n_items, crm_contact_list_model_get_total (self->model));
  else
    count = g_strdup_printf (ngettext ("%'u contact", "%'u contacts", n_items), n_items);
  if (query != NULL && selected <= 1 && n_items > 1)
    {
      /* Translators: the count of search results, then how they are ordered */
      g_autofree char *ordered = g_strdup_printf (_("%s · best match first"), count);
      gtk_label_set_label (self->count_label, ordered);
    }
  else
    gtk_label_set_label (self->count_label, count);

  gtk_widget_set_visible (self->bulk_box, selected > 1 && self->bulk_cancellable == NULL);
}

static void
update_chips (CrmContactsPage *self)
{
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->chips))) != NULL)
    gtk_flow_box_remove (self->chips, child);

  for (guint i = 0; self->model != NULL && i < CRM_CONTACT_N_FILTERS; i++)
    {
      const char *value = crm_contact_list_model_get_filter (self->model, i);
      g_autofree char *value_label = NULL;
      g_autofree char *text = NULL;
      g_autofree char *accessible = NULL;
      GtkWidget *button;
      GtkWidget *box;
      GtkWidget *label;

      if (value == NULL)
        continue;

      if (i == CRM_CONTACT_FILTER_SEGMENT)
        {
          g_autoptr(CrmSegmentInfo) segment = get_store (self) ? crm_segment_find (get_store (self), value, NULL) : NULL;
          gint64 members = -1;

          /* The chip says how many the segment holds. */
          if (segment == NULL || !crm_segment_count (get_store (self), segment->rule, NULL, &members, NULL))
            value_label = g_strdup (segment != NULL ? segment->name : value);
          else
            value_label = g_strdup_printf ("%s (%" PRId64 ")", segment->name, (int64_t) members);
        }
      else
        value_label = crm_contact_filter_value_label (i, value, owner_name (self, value));
      /* Translators: a filter chip, e.g. "Lifecycle: Frequent" */
      text = g_strdup_printf (_("%s: %s"), crm_contact_filter_title (i), value_label);
      /* Translators: what a screen reader says for a filter chip's button */
      accessible = g_strdup_printf (_("Remove filter %s"), text);

      box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      label = gtk_label_new (text);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("window-close-symbolic"));

      button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), box);
      gtk_widget_add_css_class (button, "filter-chip");
      gtk_widget_set_tooltip_text (button, _("Remove this filter"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", crm_contact_filter_to_string (i));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "contacts.remove-filter");
      gtk_flow_box_append (self->chips, button);
      n++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->chips), n > 0);
  if (n > 0)
    {
      /* Translators: the filter button while filters are on */
      g_autofree char *label = g_strdup_printf (_("_Filter (%u)"), n);
      gtk_menu_button_set_label (self->filter_button, label);
    }
  else
    gtk_menu_button_set_label (self->filter_button, _("_Filter"));
}

static void
on_items_changed (CrmContactsPage *self)
{
  update_list_state (self);
}

static void
show_selected_in_pane (CrmContactsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  g_clear_handle_id (&self->pane_timeout, g_source_remove);
  g_clear_handle_id (&self->bulk_progress_timer, g_source_remove);
  if (self->bulk_cancellable != NULL)
    g_cancellable_cancel (self->bulk_cancellable);
  if (gtk_bitset_get_size (selected) == 1)
    {
      g_autoptr(CrmContact) contact = g_list_model_get_item (G_LIST_MODEL (self->model),
                                                             gtk_bitset_get_nth (selected, 0));

      if (contact != NULL)
        {
          crm_contact_pane_set_contact_id (self->pane, crm_record_get_id (CRM_RECORD (contact)));
          gtk_stack_set_visible_child (self->detail_stack, GTK_WIDGET (self->pane));
        }
    }
}

static gboolean
pane_timeout_cb (gpointer user_data)
{
  CrmContactsPage *self = user_data;

  self->pane_timeout = 0;
  show_selected_in_pane (self);
  return G_SOURCE_REMOVE;
}

static void
on_selection_changed (CrmContactsPage *self)
{
  gint64 now = g_get_monotonic_time ();
  gboolean paging = now - self->last_selection_change < PANE_SETTLE_MS * 1000;

  /* A single change shows at once; in a quick run of them the pane waits
   * until the selection has rested for PANE_SETTLE_MS. */
  self->last_selection_change = now;
  g_clear_handle_id (&self->pane_timeout, g_source_remove);
  if (paging)
    self->pane_timeout = g_timeout_add (PANE_SETTLE_MS, pane_timeout_cb, self);
  else
    show_selected_in_pane (self);

  update_list_state (self);
  update_actions (self);
}

static void
on_filters_changed (CrmContactsPage *self)
{
  update_chips (self);
  update_list_state (self);
  update_actions (self);
}

static void
on_store_changed (CrmContactsPage *self,
                  const char      *table,
                  const char      *id)
{
  /* Names shown in cells come from other rows; forget them when those
   * rows may have changed. */
  if (table == NULL || g_str_equal (table, "contacts"))
    g_clear_pointer (&self->organization_names, g_hash_table_unref);
  if (table == NULL || g_str_equal (table, "users"))
    g_clear_pointer (&self->owner_names, g_hash_table_unref);
}

static void
on_search_changed (CrmContactsPage *self)
{
  if (self->model != NULL)
    crm_contact_list_model_set_query (self->model, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_list_state (self);
}

/* Rows that stay in place across a new query are not rebound by the
 * view; bind the cells on screen again so the highlights follow it. */
static void
on_query_changed (CrmContactsPage *self)
{
  GHashTableIter iter;
  gpointer item, factory;

  update_rank_order (self);

  g_hash_table_iter_init (&iter, self->bound_cells);
  while (g_hash_table_iter_next (&iter, &item, &factory))
    bind_cell (factory, item, self);
}

static void
on_stop_search (CrmContactsPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
on_column_view_activate (CrmContactsPage *self,
                         guint            position)
{
  g_autoptr(CrmContact) contact = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  if (contact == NULL)
    return;

  crm_contact_pane_set_contact_id (self->pane, crm_record_get_id (CRM_RECORD (contact)));
  gtk_stack_set_visible_child (self->detail_stack, GTK_WIDGET (self->pane));
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_stack));
}

static void
on_folded_changed (CrmContactsPage *self)
{
  g_object_set (self->pane, "show-back-button", adw_leaflet_get_folded (self->leaflet), NULL);
}

static void
on_pane_committed (CrmContactsPage *self,
                   CrmChangeSet    *changes,
                   const char      *message)
{
  show_toast (self, message, changes);
}

/* --- Actions --------------------------------------------------------------- */

static void
update_actions (CrmContactsPage *self)
{
  gboolean have_store = get_store (self) != NULL && !crm_store_is_read_only (get_store (self));
  gboolean have_target = n_selected (self) > 0 || crm_contact_pane_get_contact_id (self->pane) != NULL;
  gboolean bulk = n_selected (self) > 1;
  gboolean filtered = self->model != NULL && crm_contact_list_model_get_n_filters (self->model) > 0;
  gboolean busy = self->bulk_cancellable != NULL;

  /* While many rows change in a thread, no other change to many. */
  have_store = have_store && !busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.cancel-bulk", busy);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.new", have_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.new-organization", have_store);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.delete", have_store && have_target);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.undo", have_store && self->undo != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.filter", self->model != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.remove-filter", filtered);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.clear-filters", filtered);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.bulk-set-owner", have_store && bulk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.bulk-add-tag", have_store && bulk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.bulk-remove-tag", have_store && bulk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.bulk-set-lifecycle", have_store && bulk);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.send-survey", have_store && have_target);
}

static void
show_contact (CrmContactsPage *self,
              const char      *id)
{
  guint position;

  ensure_started (self);
  position = crm_contact_list_model_find (self->model, id);

  if (position != G_MAXUINT)
    {
      /* GTK 4.8's column view has no scroll_to: its list view's action. */
      for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
           child != NULL; child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_LIST_VIEW (child))
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
    }
  crm_contact_pane_set_contact_id (self->pane, id);
  gtk_stack_set_visible_child (self->detail_stack, GTK_WIDGET (self->pane));
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_stack));
}

static void
show_contact_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  show_contact (CRM_CONTACTS_PAGE (widget), g_variant_get_string (parameter, NULL));
}

static void
show_reminders_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);

  ensure_started (self);
  start_tasks (self);
  crm_reminders_view_reload (self->reminders);
  gtk_stack_set_visible_child (self->detail_stack, GTK_WIDGET (self->reminders));
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_stack));
}

/* --- Tasks coming due ------------------------------------------------------ */

static char *
format_utc (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

static void
update_overdue_count (CrmContactsPage *self,
                      const char      *now)
{
  guint count = 0;

  if (get_store (self) != NULL)
    count = crm_reminders_count_overdue (get_store (self), now, NULL);
  if (count == self->overdue_count)
    return;
  self->overdue_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OVERDUE_COUNT]);
}

/* Announces the tasks that came due since the last look (the first look
 * starts now: tasks already overdue at start are in My Tasks, not popped
 * up all at once), and returns how many. */
guint
crm_contacts_page_check_due_tasks (CrmContactsPage *self,
                                   const char      *now)
{
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  GApplication *app = g_application_get_default ();

  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), 0);
  g_return_val_if_fail (now != NULL, 0);

  if (get_store (self) == NULL)
    return 0;

  update_overdue_count (self, now);
  if (self->due_checked_until == NULL || g_strcmp0 (now, self->due_checked_until) <= 0)
    {
      if (self->due_checked_until == NULL)
        self->due_checked_until = g_strdup (now);
      return 0;
    }

  due = crm_reminders_list_coming_due (get_store (self), self->due_checked_until, now, &error);
  g_free (self->due_checked_until);
  self->due_checked_until = g_strdup (now);
  if (due == NULL)
    {
      g_warning ("Could not look for tasks coming due: %s", error->message);
      return 0;
    }

  for (guint i = 0; i < due->len; i++)
    {
      CrmRecord *task = g_ptr_array_index (due, i);
      const char *contact_id = crm_record_get_string (task, "contact_id");
      g_autoptr(GNotification) notification = NULL;
      g_autoptr(CrmContact) contact = NULL;
      g_autofree char *title = NULL;
      g_autofree char *notification_id = g_strconcat ("task-", crm_record_get_id (task), NULL);

      if (contact_id != NULL)
        contact = crm_store_get (get_store (self), CRM_TYPE_CONTACT, contact_id, NULL);
      /* Translators: a desktop notification; the task's subject */
      title = g_strdup_printf (_("Task due: %s"), crm_record_get_string (task, "subject"));
      notification = g_notification_new (title);
      if (contact != NULL)
        g_notification_set_body (notification, crm_contact_get_name (contact));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      /* Clicking it opens the contact in this window. */
      if (contact_id != NULL)
        g_notification_set_default_action_and_target (notification, "app.show-contact", "s", contact_id);

      g_signal_emit (self, signals[TASK_DUE], 0, task, notification);
      if (app != NULL && g_application_get_is_registered (app))
        g_application_send_notification (app, notification_id, notification);
    }

  return due->len;
}

static gboolean
due_timer_cb (gpointer user_data)
{
  CrmContactsPage *self = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *text = format_utc (now);

  crm_contacts_page_check_due_tasks (self, text);
  return G_SOURCE_CONTINUE;
}

static void
new_contact (CrmContactsPage *self,
             const char      *kind)
{
  g_autoptr(CrmContact) contact = crm_contact_new ();
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  gboolean organization = g_str_equal (kind, "organization");

  if (get_store (self) == NULL)
    return;

  ensure_started (self);
  /* A record needs a name; the name field is focused with it selected,
   * so typing replaces it. */
  crm_contact_set_name (contact, organization ? _("New Organization") : _("New Contact"));
  if (!crm_contact_set_field_from_string (contact, "kind", kind, &error) ||
      !crm_store_insert (get_store (self), CRM_RECORD (contact), &error))
    {
      show_error (self, error);
      return;
    }

  changes = crm_change_set_new (get_store (self));
  crm_change_set_remember_insert (changes, CRM_RECORD (contact));
  show_contact (self, crm_record_get_id (CRM_RECORD (contact)));
  crm_contact_pane_focus_name (self->pane);
  show_toast (self, organization ? _("Organization added") : _("Contact added"), changes);
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  new_contact (CRM_CONTACTS_PAGE (widget), "person");
}

static void
new_organization_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  new_contact (CRM_CONTACTS_PAGE (widget), "organization");
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *first_name = NULL;
  CrmStore *store = get_store (self);

  if (store == NULL || self->bulk_cancellable != NULL || bulk_in_background (self, BULK_DELETE, ""))
    return;
  ids = selected_ids (self);
  if (ids->len == 0)
    return;

  {
    g_autoptr(CrmContact) first = crm_store_get (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, 0), NULL);
    first_name = g_strdup (first ? crm_contact_get_name (first) : "");
  }

  /* One transaction: all or nothing, and one undo. */
  changes = crm_change_set_new (store);
  if (!crm_store_begin (store, &error))
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      if (!crm_store_delete (store, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i), &error))
        {
          crm_store_rollback (store);
          show_error (self, error);
          return;
        }
      crm_change_set_remember_delete (changes, CRM_TYPE_CONTACT, g_ptr_array_index (ids, i));
    }
  if (!crm_store_commit (store, &error))
    {
      show_error (self, error);
      return;
    }

  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), crm_contact_pane_get_contact_id (self->pane)) == 0)
      {
        crm_contact_pane_set_contact_id (self->pane, NULL);
        break;
      }
  adw_leaflet_set_visible_child (self->leaflet, self->list_side);

  if (ids->len == 1)
    title = g_strdup_printf (_("“%s” deleted"), first_name);
  else
    title = g_strdup_printf (ngettext ("%u contact deleted", "%u contacts deleted", ids->len), ids->len);
  show_toast (self, title, changes);
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);
  g_autoptr(CrmChangeSet) undo = g_steal_pointer (&self->undo);
  g_autoptr(GError) error = NULL;

  if (undo == NULL || self->bulk_cancellable != NULL)
    {
      g_set_object (&self->undo, undo);
      return;
    }

  if (crm_change_set_get_n_rows (undo) > self->background_rows && get_store (self) != NULL)
    {
      /* Not dismissed (libadwaita 1.2 may crash then): left to time out. */
      if (self->undo_toast != NULL)
        {
          adw_toast_set_title (self->undo_toast, _("Undoing…"));
          adw_toast_set_button_label (self->undo_toast, NULL);
          adw_toast_set_action_name (self->undo_toast, NULL);
          g_clear_object (&self->undo_toast);
        }
      start_bulk_undo (self, undo);
      return;
    }

  if (!crm_change_set_revert (undo, &error))
    show_error (self, error);
  else if (self->undo_toast != NULL)
    {
      /* The toast stays for its time, now without a button. */
      adw_toast_set_title (self->undo_toast, _("Undone"));
      adw_toast_set_button_label (self->undo_toast, NULL);
      adw_toast_set_action_name (self->undo_toast, NULL);
      g_clear_object (&self->undo_toast);
    }
  update_actions (self);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);

  ensure_started (self);
  adw_leaflet_set_visible_child (self->leaflet, self->list_side);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
clear_search_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  /* The entry reports the change after a delay; the list follows now. */
  on_search_changed (self);
  if (self->model != NULL)
    crm_contact_list_model_clear_filters (self->model);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_side);
}

static void
filter_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);
  CrmContactFilter filter;
  const char *name;
  const char *value;

  g_variant_get (parameter, "(&s&s)", &name, &value);
  if (!crm_contact_filter_from_string (name, &filter))
    {
      g_warning ("No contact filter named “%s”", name);
      return;
    }
  crm_contact_list_model_set_filter (self->model, filter, value);
}

static void
remove_filter_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);
  CrmContactFilter filter;

  if (!crm_contact_filter_from_string (g_variant_get_string (parameter, NULL), &filter))
    {
      g_warning ("No contact filter named “%s”", g_variant_get_string (parameter, NULL));
      return;
    }
  crm_contact_list_model_set_filter (self->model, filter, NULL);
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  crm_contact_list_model_clear_filters (CRM_CONTACTS_PAGE (widget)->model);
}

/* --- Bulk edit ------------------------------------------------------------- */

typedef struct
{
  char          *db_path;
  BulkEdit       edit;
  char          *value;
  GArray        *rids;        /* gint64: the rows to change */
  CrmChangeSet  *changes;     /* filled in the thread, on the page's store */
  CrmChangeSet  *revert;      /* an undo to put back instead */
  guint          total;
  volatile gint  done;
  guint          changed;
} BulkJob;

static void
bulk_job_free (gpointer data)
{
  BulkJob *job = data;

  g_free (job->db_path);
  g_free (job->value);
  g_clear_pointer (&job->rids, g_array_unref);
  g_clear_object (&job->changes);
  g_clear_object (&job->revert);
  g_free (job);
}

static gboolean
bulk_edit_one (CrmContact  *contact,
               BulkEdit     edit,
               const char  *value,
               GError     **error)
{
  const char * const *tags = crm_record_get_strv (CRM_RECORD (contact), "tags");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) new_tags = NULL;

  switch (edit)
    {
    case BULK_SET_OWNER:
      crm_record_set_owner_id (CRM_RECORD (contact), *value != '\0' ? value : NULL);
      return TRUE;

    case BULK_SET_LIFECYCLE:
      return crm_contact_set_field_from_string (contact, "lifecycle", value, error);

    case BULK_ADD_TAG:
    case BULK_REMOVE_TAG:
    case BULK_DELETE:
    default:
      builder = g_strv_builder_new ();
      for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
        if (!g_str_equal (tags[i], value))
          g_strv_builder_add (builder, tags[i]);
      if (edit == BULK_ADD_TAG)
        g_strv_builder_add (builder, value);
      new_tags = g_strv_builder_end (builder);
      g_object_set (contact, "tags", new_tags, NULL);
      return TRUE;
    }
}

/* One row of a bulk change, on @store (the page's or a thread's own),
 * remembered in @changes for the undo. */
static gboolean
bulk_change_row (CrmStore      *store,
                 CrmChangeSet  *changes,
                 const char    *id,
                 BulkEdit       edit,
                 const char    *value,
                 guint         *changed,
                 GError       **error)
{
  static const char * const owner_columns[] = { "owner_id", NULL };
  static const char * const tag_columns[] = { "tags", NULL };
  static const char * const lifecycle_columns[] = { "lifecycle_override", NULL };
  g_autoptr(CrmContact) contact = NULL;

  if (edit == BULK_DELETE)
    {
      if (!crm_store_delete (store, CRM_TYPE_CONTACT, id, error))
        return FALSE;
      crm_change_set_remember_delete (changes, CRM_TYPE_CONTACT, id);
      (*changed)++;
      return TRUE;
    }

  contact = crm_store_get (store, CRM_TYPE_CONTACT, id, error);
  if (contact == NULL)
    return FALSE;
  crm_change_set_remember_fields (changes, CRM_RECORD (contact),
                                  edit == BULK_SET_OWNER ? owner_columns
                                  : edit == BULK_SET_LIFECYCLE ? lifecycle_columns
                                  : tag_columns);
  if (!bulk_edit_one (contact, edit, value, error))
    return FALSE;
  if (!crm_record_has_changes (CRM_RECORD (contact)))
    return TRUE;
  if (!crm_store_update (store, CRM_RECORD (contact), error))
    return FALSE;
  (*changed)++;
  return TRUE;
}

static char *
bulk_title (BulkEdit    edit,
            const char *value,
            guint       changed)
{
  switch (edit)
    {
    case BULK_SET_OWNER:
      return g_strdup_printf (ngettext ("Owner changed for %u contact", "Owner changed for %u contacts", changed), changed);
    case BULK_ADD_TAG:
      return g_strdup_printf (ngettext ("Tag “%s” added to %u contact", "Tag “%s” added to %u contacts", changed), value, changed);
    case BULK_REMOVE_TAG:
      return g_strdup_printf (ngettext ("Tag “%s” removed from %u contact", "Tag “%s” removed from %u contacts", changed), value, changed);
    case BULK_DELETE:
      return g_strdup_printf (ngettext ("%u contact deleted", "%u contacts deleted", changed), changed);
    case BULK_SET_LIFECYCLE:
    default:
      return g_strdup_printf (ngettext ("Lifecycle changed for %u contact", "Lifecycle changed for %u contacts", changed), changed);
    }
}

static void
bulk_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  BulkJob *job = task_data;
  g_autoptr(CrmStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = crm_store_open (job->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (job->revert != NULL)
    {
      if (crm_change_set_revert_with (job->revert, store, cancellable, &job->done, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* All rows in one transaction: one undo step, and Cancel or a failure
   * on any row changes none. */
  if (!crm_store_begin (store, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < job->rids->len; i++)
    {
      g_autofree char *id = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        break;
      id = crm_contact_list_model_id_for_rid (store, g_array_index (job->rids, gint64, i), &error);
      /* Removed since the list was read (by sync): nothing to change. */
      if (id == NULL && g_error_matches (error, CRM_STORE_ERROR, CRM_STORE_ERROR_NOT_FOUND))
        g_clear_error (&error);
      else if (id == NULL ||
               !bulk_change_row (store, job->changes, id, job->edit, job->value, &job->changed, &error))
        break;
      g_atomic_int_set (&job->done, (gint) i + 1);
    }
  if (error == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, &error);
  if (error != NULL || !crm_store_commit (store, &error))
    {
      crm_store_rollback (store);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static gboolean
update_bulk_progress (gpointer user_data)
{
  CrmContactsPage *self = user_data;
  BulkJob *job = self->bulk_job;
  g_autofree char *text = NULL;
  guint done;

  if (job == NULL)
    return G_SOURCE_REMOVE;
  done = (guint) g_atomic_int_get (&job->done);
  gtk_progress_bar_set_fraction (self->bulk_progress, job->total > 0 ? MIN (1.0, (double) done / job->total) : 0.0);
  if (job->revert != NULL)
    /* Translators: progress of an undo over many contacts */
    text = g_strdup_printf (ngettext ("Undoing: %u of %u contact", "Undoing: %u of %u contacts", job->total), done, job->total);
  else
    /* Translators: progress of a change to many selected contacts */
    text = g_strdup_printf (ngettext ("%u of %u contact", "%u of %u contacts", job->total), done, job->total);
  gtk_progress_bar_set_text (self->bulk_progress, text);
  return G_SOURCE_CONTINUE;
}

static void
on_bulk_done (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CrmContactsPage) self = user_data;
  BulkJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  CrmStore *store = get_store (self);

  self->bulk_job = NULL;
  g_clear_object (&self->bulk_cancellable);
  g_clear_handle_id (&self->bulk_progress_timer, g_source_remove);
  if (self->context == NULL)
    return;   /* the page went away meanwhile */
  gtk_widget_set_visible (self->bulk_progress_box, FALSE);

  /* The thread wrote through its own connection: tell this one. */
  if (ok && store != NULL)
    crm_store_emit_changed (store, "contacts");

  if (job->revert != NULL)
    {
      if (ok)
        show_toast (self, _("Undone"), NULL);
      else
        {
          /* Nothing was put back: the undo is still there to try again. */
          if (!cancelled)
            show_error (self, error);
          show_toast (self, _("Nothing was undone"), job->revert);
        }
    }
  else if (ok)
    {
      g_autofree char *title = bulk_title (job->edit, job->value, job->changed);

      if (job->edit == BULK_DELETE)
        {
          crm_contact_pane_set_contact_id (self->pane, NULL);
          adw_leaflet_set_visible_child (self->leaflet, self->list_side);
        }
      show_toast (self, title, job->changed > 0 ? job->changes : NULL);
    }
  else if (cancelled)
    show_toast (self, _("Cancelled: nothing was changed"), NULL);
  else
    show_error (self, error);

  update_list_state (self);
  update_actions (self);
}

static void
start_bulk_job (CrmContactsPage *self,
                BulkJob         *job)
{
  g_autoptr(GTask) task = NULL;

  job->db_path = g_strdup (crm_store_get_path (get_store (self)));
  self->bulk_cancellable = g_cancellable_new ();
  self->bulk_job = job;
  task = g_task_new (NULL, self->bulk_cancellable, on_bulk_done, g_object_ref (self));
  g_task_set_source_tag (task, start_bulk_job);
  g_task_set_task_data (task, job, bulk_job_free);
  g_task_run_in_thread (task, bulk_thread);

  update_bulk_progress (self);
  gtk_widget_set_visible (self->bulk_progress_box, TRUE);
  self->bulk_progress_timer = g_timeout_add (100, update_bulk_progress, self);
  update_list_state (self);
  update_actions (self);
}

/* The selected rows, by row id, without loading them. */
static GArray *
selected_rids (CrmContactsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray *rids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), (guint) gtk_bitset_get_size (selected));
  GtkBitsetIter iter;
  guint position;

  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position);
       ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      gint64 rid = crm_contact_list_model_get_rid (self->model, position);

      if (rid != 0)
        g_array_append_val (rids, rid);
    }
  return rids;
}

/* Many rows: in a thread. Returns FALSE when there are few enough to do
 * here and now. */
static gboolean
bulk_in_background (CrmContactsPage *self,
                    BulkEdit         edit,
                    const char      *value)
{
  BulkJob *job;

  if (self->selection == NULL || self->bulk_cancellable != NULL || n_selected (self) <= self->background_rows)
    return FALSE;

  job = g_new0 (BulkJob, 1);
  job->edit = edit;
  job->value = g_strdup (value);
  job->rids = selected_rids (self);
  job->total = job->rids->len;
  job->changes = crm_change_set_new (get_store (self));
  start_bulk_job (self, job);
  return TRUE;
}

static void
bulk_edit (CrmContactsPage *self,
           BulkEdit         edit,
           const char      *value)
{
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  CrmStore *store = get_store (self);
  guint changed = 0;

  if (store == NULL || self->bulk_cancellable != NULL || bulk_in_background (self, edit, value))
    return;

  ids = selected_ids (self);
  if (ids->len == 0)
    return;

  /* All rows in one transaction: one undo step, one list refresh, and a
   * failure on any row changes none. */
  changes = crm_change_set_new (store);
  if (!crm_store_begin (store, &error))
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < ids->len; i++)
    if (!bulk_change_row (store, changes, g_ptr_array_index (ids, i), edit, value, &changed, &error))
      break;
  if (error != NULL || !crm_store_commit (store, &error))
    {
      crm_store_rollback (store);
      show_error (self, error);
      return;
    }

  title = bulk_title (edit, value, changed);
  show_toast (self, title, changed > 0 ? changes : NULL);
}

static void
bulk_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);
  const char *value = g_variant_get_string (parameter, NULL);

  if (g_str_equal (action_name, "contacts.bulk-set-owner"))
    bulk_edit (self, BULK_SET_OWNER, value);
  else if (g_str_equal (action_name, "contacts.bulk-add-tag"))
    bulk_edit (self, BULK_ADD_TAG, value);
  else if (g_str_equal (action_name, "contacts.bulk-remove-tag"))
    bulk_edit (self, BULK_REMOVE_TAG, value);
  else
    bulk_edit (self, BULK_SET_LIFECYCLE, value);
}

static void
start_bulk_undo (CrmContactsPage *self,
                 CrmChangeSet    *undo)
{
  BulkJob *job = g_new0 (BulkJob, 1);

  job->revert = g_object_ref (undo);
  job->total = crm_change_set_get_n_rows (undo);
  start_bulk_job (self, job);
}

static void
cancel_bulk_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);

  if (self->bulk_cancellable != NULL)
    g_cancellable_cancel (self->bulk_cancellable);
}

static void
on_bulk_tags_counted (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CrmContactsPage *self = user_data;
  g_autoptr(GPtrArray) tags = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMenu) add_tags = NULL;
  g_autoptr(GMenu) remove_tags = NULL;
  GMenu *menu;

  tags = crm_contact_list_model_count_facet_finish (result, &error);
  /* Cancelled: a newer menu, or the page is gone (so is @self). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->bulk_tags_cancellable);
  if (tags == NULL)
    {
      g_warning ("Could not list the tags for bulk edit: %s", error->message);
      return;
    }
  if (tags->len == 0)
    return;

  add_tags = g_menu_new ();
  remove_tags = g_menu_new ();
  for (guint i = 0; i < tags->len && i < 16; i++)
    {
      CrmContactFacet *tag = g_ptr_array_index (tags, i);
      g_autoptr(GMenuItem) add = g_menu_item_new (tag->value, NULL);
      g_autoptr(GMenuItem) remove = g_menu_item_new (tag->value, NULL);

      g_menu_item_set_action_and_target (add, "contacts.bulk-add-tag", "s", tag->value);
      g_menu_append_item (add_tags, add);
      g_menu_item_set_action_and_target (remove, "contacts.bulk-remove-tag", "s", tag->value);
      g_menu_append_item (remove_tags, remove);
    }
  /* After the owner and lifecycle submenus, before "Send Survey…". */
  menu = G_MENU (gtk_menu_button_get_menu_model (self->bulk_button));
  g_menu_insert_submenu (menu, 2, _("_Add Tag"), G_MENU_MODEL (add_tags));
  g_menu_insert_submenu (menu, 3, _("_Remove Tag"), G_MENU_MODEL (remove_tags));
}

/* Built when the menu opens: owners and tags change. */
static void
rebuild_bulk_menu (CrmContactsPage *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) owners = g_menu_new ();
  g_autoptr(GMenu) lifecycles = g_menu_new ();
  g_autoptr(GPtrArray) users = NULL;

  if (get_store (self) == NULL)
    return;

  users = crm_user_directory_list (get_store (self), NULL);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *user = g_ptr_array_index (users, i);
      g_autoptr(GMenuItem) item = g_menu_item_new (user->name, NULL);

      g_menu_item_set_action_and_target (item, "contacts.bulk-set-owner", "s", user->id);
      g_menu_append_item (owners, item);
    }
  {
    g_autoptr(GMenuItem) item = g_menu_item_new (_("No owner"), NULL);

    g_menu_item_set_action_and_target (item, "contacts.bulk-set-owner", "s", "");
    g_menu_append_item (owners, item);
  }

  {
    g_autoptr(GMenuItem) item = g_menu_item_new (_("Automatic"), NULL);

    g_menu_item_set_action_and_target (item, "contacts.bulk-set-lifecycle", "s", "");
    g_menu_append_item (lifecycles, item);
  }
  for (guint i = 0; crm_lifecycle_labels[i].value != NULL; i++)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_(crm_lifecycle_labels[i].label), NULL);

      g_menu_item_set_action_and_target (item, "contacts.bulk-set-lifecycle", "s", crm_lifecycle_labels[i].value);
      g_menu_append_item (lifecycles, item);
    }

  g_menu_append_submenu (menu, _("Set _Owner"), G_MENU_MODEL (owners));
  g_menu_append_submenu (menu, _("Set _Lifecycle"), G_MENU_MODEL (lifecycles));
  {
    g_autoptr(GMenu) others = g_menu_new ();

    g_menu_append (others, _("Send _Survey…"), "contacts.send-survey");
    g_menu_append_section (menu, NULL, G_MENU_MODEL (others));
  }
  gtk_menu_button_set_menu_model (self->bulk_button, G_MENU_MODEL (menu));

  /* Tags are counted over the whole list: seconds with a million
   * contacts, so they join the menu from a thread. */
  g_cancellable_cancel (self->bulk_tags_cancellable);
  g_clear_object (&self->bulk_tags_cancellable);
  self->bulk_tags_cancellable = g_cancellable_new ();
  crm_contact_list_model_count_facet_async (self->model, CRM_CONTACT_FILTER_TAG, self->bulk_tags_cancellable,
                                            on_bulk_tags_counted, self);
}

static void
on_bulk_box_visible (CrmContactsPage *self)
{
  if (gtk_widget_get_visible (self->bulk_box))
    rebuild_bulk_menu (self);
}

/* --- Surveys --------------------------------------------------------------- */

/* The Surveys workspace's send dialog, for the chosen customers: it asks
 * which open survey and how (links for email, printed forms). */
static void
send_survey_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (widget);
  g_autoptr(GPtrArray) ids = selected_ids (self);
  CrmSurveySendDialog *dialog;

  if (self->context == NULL || ids->len == 0)
    return;
  dialog = crm_survey_send_dialog_new_for_contacts (self->context, ids);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (gtk_widget_get_root (widget)));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Columns --------------------------------------------------------------- */

static void
on_column_toggled (GSimpleAction *action,
                   GVariant      *state,
                   gpointer       user_data)
{
  GtkColumnViewColumn *column = user_data;
  CrmContactsPage *self = g_object_get_data (G_OBJECT (action), "crm-page");

  g_simple_action_set_state (action, state);
  gtk_column_view_column_set_visible (column, g_variant_get_boolean (state));
  save_visible_columns (self);
}

/* --- Remembered columns ---------------------------------------------------- */

static void
save_visible_columns (CrmContactsPage *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) ids = NULL;

  if (self->settings == NULL || self->restoring_columns)
    return;
  for (guint i = 0; i < N_COLUMNS; i++)
    if (gtk_column_view_column_get_visible (self->columns[i]))
      g_strv_builder_add (builder, column_info[i].id);
  ids = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "contacts-columns", (const char * const *) ids);
}

static gboolean
save_widths_cb (gpointer user_data)
{
  CrmContactsPage *self = user_data;
  GVariantBuilder builder;

  self->save_widths_timeout = 0;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{si}"));
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      int width = gtk_column_view_column_get_fixed_width (self->columns[i]);

      if (width > 0 && width != column_info[i].width)
        g_variant_builder_add (&builder, "{si}", column_info[i].id, width);
    }
  g_settings_set_value (self->settings, "contacts-column-widths", g_variant_builder_end (&builder));
  return G_SOURCE_REMOVE;
}

/* Dragging a column edge changes its width every frame: save once it rests. */
static void
on_column_width_changed (CrmContactsPage *self)
{
  if (self->settings == NULL || self->restoring_columns)
    return;
  g_clear_handle_id (&self->save_widths_timeout, g_source_remove);
  self->save_widths_timeout = g_timeout_add (500, save_widths_cb, self);
}

static int
column_for_id (const char *id)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    if (g_strcmp0 (column_info[i].id, id) == 0)
      return i;
  return -1;
}

static void
restore_columns (CrmContactsPage *self)
{
  g_auto(GStrv) visible = g_settings_get_strv (self->settings, "contacts-columns");
  g_autoptr(GVariant) widths = g_settings_get_value (self->settings, "contacts-column-widths");
  g_autofree char *sort_id = NULL;
  gboolean descending = FALSE;
  int sort_column;

  self->restoring_columns = TRUE;
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      gboolean show = i == COLUMN_NAME || g_strv_contains ((const char * const *) visible, column_info[i].id);
      int width;

      g_action_group_change_action_state (G_ACTION_GROUP (self->column_actions), column_info[i].id,
                                          g_variant_new_boolean (show));
      if (g_variant_lookup (widths, column_info[i].id, "i", &width) && width >= 40)
        gtk_column_view_column_set_fixed_width (self->columns[i], width);
    }

  g_settings_get (self->settings, "contacts-sort", "(sb)", &sort_id, &descending);
  sort_column = column_for_id (sort_id);
  if (sort_column < 0 || column_info[sort_column].sort < 0)
    sort_column = COLUMN_NAME;
  gtk_column_view_sort_by_column (self->column_view, self->columns[sort_column],
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  self->restoring_columns = FALSE;
}

/* Search results come best first whatever the columns say: the headers
 * show no sort while searching, and the count says how the rows are
 * ordered. The column sort comes back with the full list. */
static void
update_rank_order (CrmContactsPage *self)
{
  gboolean searching = self->model != NULL && crm_contact_list_model_get_query (self->model) != NULL;

  if (searching == self->rank_order)
    return;

  if (searching)
    {
      self->saved_sort_column = COLUMN_NAME;
      self->saved_sort_descending = crm_contact_list_model_get_descending (self->model);
      for (guint i = 0; i < N_COLUMNS; i++)
        if (column_info[i].sort == (int) crm_contact_list_model_get_sort (self->model))
          self->saved_sort_column = i;
      self->rank_order = TRUE;
      gtk_column_view_sort_by_column (self->column_view, NULL, GTK_SORT_ASCENDING);
    }
  else
    {
      self->rank_order = FALSE;
      self->restoring_columns = TRUE;
      gtk_column_view_sort_by_column (self->column_view, self->columns[self->saved_sort_column],
                                      self->saved_sort_descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
      self->restoring_columns = FALSE;
    }
}

static void
create_columns (CrmContactsPage *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();

  self->column_actions = g_simple_action_group_new ();

  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GSimpleAction) action = NULL;
      g_autofree char *action_name = NULL;
      GtkColumnViewColumn *column;

      g_object_set_data (G_OBJECT (factory), "crm-column", GUINT_TO_POINTER (i));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), self);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), self);

      column = gtk_column_view_column_new (_(column_info[i].title), g_object_ref (factory));
      gtk_column_view_column_set_expand (column, column_info[i].expand);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, column_info[i].width);
      gtk_column_view_column_set_visible (column, column_visible_default[i]);
      if (column_info[i].sort >= 0)
        {
          g_autoptr(GtkSorter) sorter = NULL;

          self->probes[i].page = self;
          self->probes[i].column = i;
          sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, &self->probes[i], NULL));
          gtk_column_view_column_set_sorter (column, sorter);
        }
      gtk_column_view_append_column (self->column_view, column);
      self->columns[i] = column;

      action = g_simple_action_new_stateful (column_info[i].id, NULL,
                                             g_variant_new_boolean (column_visible_default[i]));
      g_object_set_data (G_OBJECT (action), "crm-page", self);
      g_signal_connect (action, "change-state", G_CALLBACK (on_column_toggled), column);
      g_signal_connect_swapped (column, "notify::fixed-width", G_CALLBACK (on_column_width_changed), self);
      g_action_map_add_action (G_ACTION_MAP (self->column_actions), G_ACTION (action));
      action_name = g_strconcat ("columns.", column_info[i].id, NULL);
      g_menu_append (menu, _(column_info[i].title), action_name);
    }

  gtk_widget_insert_action_group (GTK_WIDGET (self), "columns", G_ACTION_GROUP (self->column_actions));
  gtk_menu_button_set_menu_model (self->columns_button, G_MENU_MODEL (menu));

  g_signal_connect_swapped (gtk_column_view_get_sorter (self->column_view), "changed",
                            G_CALLBACK (on_sorter_changed), self);
  gtk_column_view_sort_by_column (self->column_view, self->columns[COLUMN_NAME], GTK_SORT_ASCENDING);
}

/* --- Deferred start -------------------------------------------------------- */

static void
unwatch_first_frame (CrmContactsPage *self)
{
  if (self->watched_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_clock, self);
  if (self->watched_root != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_root, self);
  g_clear_object (&self->watched_clock);
  self->watched_root = NULL;
}

/* Reads what the page shows: the list, then (a frame later) My Tasks and
 * tasks coming due (which also gives the sidebar its overdue count). Done
 * once, after the window's first frame, or at once when something needs
 * it sooner. */
static void
start_tasks (CrmContactsPage *self)
{
  if (self->tasks_started || self->context == NULL)
    return;

  self->tasks_started = TRUE;
  if (self->tasks_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->tasks_clock, self);
  g_clear_object (&self->tasks_clock);
  g_clear_handle_id (&self->tasks_idle, g_source_remove);

  crm_reminders_view_set_store (self->reminders, crm_context_get_store (self->context));
  due_timer_cb (self);
  self->due_timer = g_timeout_add_seconds (DUE_CHECK_SECONDS, due_timer_cb, self);
}

static gboolean
tasks_idle_cb (gpointer user_data)
{
  CrmContactsPage *self = user_data;

  self->tasks_idle = 0;
  start_tasks (self);
  return G_SOURCE_REMOVE;
}

static void
on_list_frame_painted (CrmContactsPage *self)
{
  g_signal_handlers_disconnect_by_data (self->tasks_clock, self);
  g_clear_object (&self->tasks_clock);
  if (!self->tasks_started && self->tasks_idle == 0)
    self->tasks_idle = g_idle_add (tasks_idle_cb, self);
}

/* Once the frame with the list is painted, or now without a display. */
static void
start_tasks_after_next_frame (CrmContactsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GdkFrameClock *clock = root != NULL ? gtk_widget_get_frame_clock (GTK_WIDGET (root)) : NULL;

  if (clock == NULL)
    {
      start_tasks (self);
      return;
    }
  self->tasks_clock = g_object_ref (clock);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_list_frame_painted), self, G_CONNECT_SWAPPED);
  gtk_widget_queue_draw (GTK_WIDGET (root));
}

static void
ensure_started (CrmContactsPage *self)
{
  if (self->started || self->context == NULL)
    return;

  self->started = TRUE;
  unwatch_first_frame (self);
  g_clear_handle_id (&self->start_idle, g_source_remove);

  crm_contact_list_model_start (self->model);
  start_tasks_after_next_frame (self);

  update_list_state (self);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST_STATE]);
}

static gboolean
start_idle_cb (gpointer user_data)
{
  CrmContactsPage *self = user_data;

  self->start_idle = 0;
  ensure_started (self);
  return G_SOURCE_REMOVE;
}

/* After the frame is on screen: the reading waits for the main loop, so
 * the frame is not held up by it. */
static void
on_first_frame_painted (CrmContactsPage *self)
{
  unwatch_first_frame (self);
  if (!self->started && self->start_idle == 0)
    self->start_idle = g_idle_add (start_idle_cb, self);
}

static void
on_root_mapped (CrmContactsPage *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (self->watched_root);

  if (clock == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->watched_root, self);
  self->watched_clock = g_object_ref (clock);
  g_signal_connect_object (clock, "after-paint", G_CALLBACK (on_first_frame_painted), self, G_CONNECT_SWAPPED);
}

/* The window, not the page: a window that opens on another workspace
 * still needs the overdue count in its sidebar. */
static void
watch_first_frame (CrmContactsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->started || self->context == NULL || root == NULL || self->watched_root != NULL)
    return;

  /* Not a reference: the window owns the page; unroot forgets it. */
  self->watched_root = GTK_WIDGET (root);
  if (gtk_widget_get_mapped (self->watched_root))
    on_root_mapped (self);
  else
    g_signal_connect_object (self->watched_root, "map", G_CALLBACK (on_root_mapped), self, G_CONNECT_SWAPPED);
}

static void
crm_contacts_page_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (crm_contacts_page_parent_class)->root (widget);

  watch_first_frame (CRM_CONTACTS_PAGE (widget));
}

static void
crm_contacts_page_unroot (GtkWidget *widget)
{
  unwatch_first_frame (CRM_CONTACTS_PAGE (widget));

  GTK_WIDGET_CLASS (crm_contacts_page_parent_class)->unroot (widget);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_contacts_page_dispose (GObject *object)
{
  CrmContactsPage *self = (CrmContactsPage *)object;

  g_cancellable_cancel (self->bulk_tags_cancellable);
  g_clear_object (&self->bulk_tags_cancellable);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CONTACTS_PAGE);
  g_clear_pointer (&self->bound_cells, g_hash_table_unref);
  for (guint i = 0; i < N_COLUMNS; i++)
    g_clear_object (&self->columns[i]);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->undo);
  g_clear_object (&self->undo_toast);
  g_clear_object (&self->column_actions);
  if (self->save_widths_timeout != 0)
    save_widths_cb (self);
  g_clear_object (&self->settings);
  g_clear_object (&self->context);
  g_clear_pointer (&self->owner_names, g_hash_table_unref);
  g_clear_pointer (&self->organization_names, g_hash_table_unref);
  g_clear_handle_id (&self->due_timer, g_source_remove);
  g_clear_handle_id (&self->start_idle, g_source_remove);
  g_clear_handle_id (&self->tasks_idle, g_source_remove);
  g_clear_handle_id (&self->pane_timeout, g_source_remove);
  if (self->tasks_clock != NULL)
    g_signal_handlers_disconnect_by_data (self->tasks_clock, self);
  g_clear_object (&self->tasks_clock);
  unwatch_first_frame (self);
  g_clear_pointer (&self->due_checked_until, g_free);

  G_OBJECT_CLASS (crm_contacts_page_parent_class)->dispose (object);
}

static void
crm_contacts_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;

    case PROP_LIST_STATE:
      g_value_set_string (value, crm_contacts_page_get_list_state (self));
      break;

    case PROP_OVERDUE_COUNT:
      g_value_set_uint (value, self->overdue_count);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contacts_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CrmContactsPage *self = CRM_CONTACTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      crm_contacts_page_set_context (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contacts_page_class_init (CrmContactsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char * const bulk_actions[] = {
    "contacts.bulk-set-owner", "contacts.bulk-add-tag",
    "contacts.bulk-remove-tag", "contacts.bulk-set-lifecycle",
  };

  object_class->dispose = crm_contacts_page_dispose;
  object_class->get_property = crm_contacts_page_get_property;
  object_class->set_property = crm_contacts_page_set_property;
  widget_class->root = crm_contacts_page_root;
  widget_class->unroot = crm_contacts_page_unroot;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL,
                         CRM_TYPE_CONTEXT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_OVERDUE_COUNT] =
    g_param_spec_uint ("overdue-count", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LIST_STATE] =
    g_param_spec_string ("list-state", NULL, NULL,
                         "list",
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmContactsPage::task-due:
   * @task: the CrmActivity that came due
   * @notification: the desktop notification sent for it
   */
  signals[TASK_DUE] =
    g_signal_new ("task-due",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CRM_TYPE_RECORD, G_TYPE_NOTIFICATION);

  g_type_ensure (CRM_TYPE_CONTACT_PANE);
  g_type_ensure (CRM_TYPE_CONTACT_FILTER_POPOVER);
  g_type_ensure (CRM_TYPE_REMINDERS_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-contacts-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, list_side);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, filter_button);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, filter_popover);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, columns_button);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, chips);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, no_matches_page);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, bulk_box);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, bulk_button);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, bulk_progress_box);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, bulk_progress);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, reminders);
  gtk_widget_class_bind_template_child (widget_class, CrmContactsPage, pane);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_pane_committed);

  gtk_widget_class_install_action (widget_class, "contacts.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "contacts.new-organization", NULL, new_organization_action);
  gtk_widget_class_install_action (widget_class, "contacts.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "contacts.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "contacts.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "contacts.clear-search", NULL, clear_search_action);
  gtk_widget_class_install_action (widget_class, "contacts.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "contacts.show-contact", "s", show_contact_action);
  gtk_widget_class_install_action (widget_class, "contacts.show-reminders", NULL, show_reminders_action);
  gtk_widget_class_install_action (widget_class, "contacts.filter", "(ss)", filter_action);
  gtk_widget_class_install_action (widget_class, "contacts.remove-filter", "s", remove_filter_action);
  gtk_widget_class_install_action (widget_class, "contacts.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "contacts.cancel-bulk", NULL, cancel_bulk_action);
  gtk_widget_class_install_action (widget_class, "contacts.send-survey", NULL, send_survey_action);
  for (guint i = 0; i < G_N_ELEMENTS (bulk_actions); i++)
    gtk_widget_class_install_action (widget_class, bulk_actions[i], "s", bulk_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "contacts.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "contacts.new", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "contacts.new-organization", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "contacts.undo", NULL);
}

static void
crm_contacts_page_init (CrmContactsPage *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->probed_column = -1;
  self->background_rows = BACKGROUND_ROWS;
  self->bound_cells = g_hash_table_new (NULL, NULL);
  create_columns (self);

  /* Delete on the list only: in an entry it deletes text. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("contacts.delete")));
  gtk_widget_add_controller (GTK_WIDGET (self->column_view), shortcuts);

  g_signal_connect_swapped (self->bulk_box, "notify::visible", G_CALLBACK (on_bulk_box_visible), self);

  update_list_state (self);
  update_actions (self);
}

CrmContext *
crm_contacts_page_get_context (CrmContactsPage *self)
{
  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), NULL);

  return self->context;
}

void
crm_contacts_page_set_context (CrmContactsPage *self,
                               CrmContext      *context)
{
  g_return_if_fail (CRM_IS_CONTACTS_PAGE (self));
  g_return_if_fail (context == NULL || CRM_IS_CONTEXT (context));

  if (self->context == context)
    return;
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->model = crm_contact_list_model_new_deferred (crm_context_get_store (context));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  crm_contact_filter_popover_set_model (self->filter_popover, self->model);
  crm_contact_pane_set_store (self->pane, crm_context_get_store (context));
  self->settings = crm_context_get_settings (context) ? g_object_ref (crm_context_get_settings (context)) : NULL;
  if (self->settings != NULL)
    restore_columns (self);
  on_sorter_changed (self);

  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::n-filters", G_CALLBACK (on_filters_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::query", G_CALLBACK (on_query_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (crm_context_get_store (context), "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);

  update_chips (self);
  update_list_state (self);
  update_actions (self);
  watch_first_frame (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

CrmContactListModel *
crm_contacts_page_get_model (CrmContactsPage *self)
{
  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), NULL);

  return self->model;
}

GtkSelectionModel *
crm_contacts_page_get_selection (CrmContactsPage *self)
{
  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

GtkWidget *
crm_contacts_page_get_pane (CrmContactsPage *self)
{
  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), NULL);

  return GTK_WIDGET (self->pane);
}

const char *
crm_contacts_page_get_list_state (CrmContactsPage *self)
{
  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), NULL);

  if (self->context != NULL && !self->started)
    return "loading";
  return gtk_stack_get_visible_child_name (self->list_stack);
}

/* Whether a change to many rows runs in a thread (progress shown, the
 * other bulk actions off until it is done or cancelled). */
gboolean
crm_contacts_page_get_busy (CrmContactsPage *self)
{
  g_return_val_if_fail (CRM_IS_CONTACTS_PAGE (self), FALSE);

  return self->bulk_cancellable != NULL;
}

/* For tests: more selected rows than @rows are changed in a thread. */
void
crm_contacts_page_set_background_rows (CrmContactsPage *self,
                                       guint            rows)
{
  g_return_if_fail (CRM_IS_CONTACTS_PAGE (self));

  self->background_rows = rows;
}

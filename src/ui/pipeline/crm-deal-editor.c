/* crm-deal-editor.c: a window to add or edit one deal: customer, amount, stage, close date, owner, notes, and its stage history */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact-labels.h"
#include "crm-contact-search.h"
#include "crm-contact.h"
#include "crm-deal-editor.h"
#include "crm-deal-moves.h"
#include "crm-deal.h"
#include "crm-user-directory.h"

struct _CrmDealEditor
{
  AdwWindow         parent_instance;

  CrmDealBoard     *board;
  char             *deal_id;
  char             *contact_id;
  GPtrArray        *stage_ids;    /* parallel to stage_row */
  GPtrArray        *owner_ids;    /* parallel to owner_row; "" = nobody */
  GStrv             lost_reasons;
  gboolean          setting_customer;

  /* Template widgets */
  GtkLabel         *error_label;
  AdwEntryRow      *title_row;
  AdwEntryRow      *customer_row;
  GtkListBox       *customer_matches;
  AdwEntryRow      *amount_row;
  AdwEntryRow      *currency_row;
  AdwComboRow      *stage_row;
  AdwComboRow      *lost_reason_row;
  AdwEntryRow      *expected_close_row;
  AdwComboRow      *owner_row;
  GtkTextView      *notes_view;
  AdwPreferencesGroup *history_group;
};

G_DEFINE_FINAL_TYPE (CrmDealEditor, crm_deal_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static CrmStore *
get_store (CrmDealEditor *self)
{
  return crm_deal_board_get_store (self->board);
}

static void
show_error (CrmDealEditor *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static int
find_id (GPtrArray  *ids,
         const char *id)
{
  for (guint i = 0; i < ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), id != NULL ? id : "") == 0)
      return (int) i;
  return -1;
}

static const char *
selected_id (GPtrArray   *ids,
             AdwComboRow *row)
{
  guint i = adw_combo_row_get_selected (row);
  const char *id;

  if (i >= ids->len)
    return NULL;
  id = g_ptr_array_index (ids, i);
  return *id != '\0' ? id : NULL;
}

static gboolean
selected_stage_is_lost (CrmDealEditor *self)
{
  int stage = crm_deal_board_find_stage (self->board, selected_id (self->stage_ids, self->stage_row));

  return stage >= 0 && crm_deal_board_get_stage_is_lost (self->board, (guint) stage);
}

static void
on_stage_selected (CrmDealEditor *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->lost_reason_row), selected_stage_is_lost (self));
}

/* --- Customer -------------------------------------------------------------- */

static void
set_customer (CrmDealEditor *self,
              const char    *contact_id)
{
  g_autoptr(CrmContact) contact = NULL;

  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  if (contact_id != NULL)
    contact = crm_store_get (get_store (self), CRM_TYPE_CONTACT, contact_id, NULL);
  self->setting_customer = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->customer_row),
                         contact != NULL ? crm_record_get_string (CRM_RECORD (contact), "name") : "");
  self->setting_customer = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->customer_matches), FALSE);
}

static void
on_customer_match_activated (CrmDealEditor *self,
                             GtkListBoxRow *row)
{
  set_customer (self, gtk_widget_get_name (GTK_WIDGET (row)));
}

static void
on_customer_changed (CrmDealEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->customer_row));
  g_autoptr(GPtrArray) ids = NULL;
  GtkWidget *child;

  if (self->setting_customer)
    return;
  /* Typing means a different customer until one is picked. */
  g_clear_pointer (&self->contact_id, g_free);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->customer_matches))) != NULL)
    gtk_list_box_remove (self->customer_matches, child);
  if (*text != '\0')
    ids = crm_contact_search (get_store (self), text, 6, 0, NULL, NULL);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    {
      g_autoptr(CrmContact) contact = crm_store_get (get_store (self), CRM_TYPE_CONTACT,
                                                     g_ptr_array_index (ids, i), NULL);
      GtkWidget *row;

      if (contact == NULL)
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     crm_record_get_string (CRM_RECORD (contact), "name"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   crm_record_get_string (CRM_RECORD (contact), "city") != NULL
                                   ? crm_record_get_string (CRM_RECORD (contact), "city") : "");
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_name (row, g_ptr_array_index (ids, i));
      gtk_list_box_append (self->customer_matches, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->customer_matches),
                          gtk_widget_get_first_child (GTK_WIDGET (self->customer_matches)) != NULL);
}

/* --- Loading --------------------------------------------------------------- */

static void
fill_choices (CrmDealEditor *self)
{
  g_autoptr(GtkStringList) stages = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) owners = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) reasons = gtk_string_list_new ((const char * const *) self->lost_reasons);
  g_autoptr(GPtrArray) users = crm_user_directory_list (get_store (self), NULL);

  for (guint i = 0; i < crm_deal_board_get_n_stages (self->board); i++)
    {
      g_autofree char *label = NULL;

      if (crm_deal_board_get_stage_is_won (self->board, i) || crm_deal_board_get_stage_is_lost (self->board, i))
        label = g_strdup (crm_deal_board_get_stage_name (self->board, i));
      else
        /* Translators: a stage and its win probability, e.g. "Proposal (50 %)" */
        label = g_strdup_printf (_("%s (%d %%)"), crm_deal_board_get_stage_name (self->board, i),
                                 crm_deal_board_get_stage_probability (self->board, i));
      gtk_string_list_append (stages, label);
      g_ptr_array_add (self->stage_ids, g_strdup (crm_deal_board_get_stage_id (self->board, i)));
    }
  adw_combo_row_set_model (self->stage_row, G_LIST_MODEL (stages));

  gtk_string_list_append (owners, _("Nobody"));
  g_ptr_array_add (self->owner_ids, g_strdup (""));
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      CrmUserEntry *user = g_ptr_array_index (users, i);

      gtk_string_list_append (owners, user->name);
      g_ptr_array_add (self->owner_ids, g_strdup (user->id));
    }
  adw_combo_row_set_model (self->owner_row, G_LIST_MODEL (owners));
  adw_combo_row_set_model (self->lost_reason_row, G_LIST_MODEL (reasons));
}

static void
load_history (CrmDealEditor *self)
{
  g_autoptr(GPtrArray) moves = crm_deal_list_moves (get_store (self), self->deal_id, NULL);

  for (guint i = 0; moves != NULL && i < moves->len; i++)
    {
      CrmDealMove *move = g_ptr_array_index (moves, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *date = crm_format_date (move->at);

      if (move->from_stage == NULL)
        /* Translators: the first entry of a deal's stage history */
        title = g_strdup_printf (_("Created in %s"), move->to_stage != NULL ? move->to_stage : "?");
      else
        title = g_strdup_printf ("%s → %s", move->from_stage, move->to_stage != NULL ? move->to_stage : "?");
      /* Translators: when and by whom a deal moved, e.g. "2024-05-01 · 周婷" */
      subtitle = move->by != NULL ? g_strdup_printf (_("%s · %s"), date, move->by) : g_strdup (date);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_preferences_group_add (self->history_group, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->history_group), moves != NULL && moves->len > 0);
}

static void
load_deal (CrmDealEditor *self,
           const char    *stage_id)
{
  g_autoptr(CrmDeal) deal = NULL;
  g_autofree char *amount = NULL;
  int i;

  if (self->deal_id != NULL)
    deal = crm_store_get (get_store (self), CRM_TYPE_DEAL, self->deal_id, NULL);
  if (deal == NULL)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("New Deal"));
      i = find_id (self->stage_ids, stage_id);
      adw_combo_row_set_selected (self->stage_row, i >= 0 ? (guint) i : 0);
      i = find_id (self->owner_ids, crm_deal_board_get_owner_id (self->board));
      adw_combo_row_set_selected (self->owner_row, i >= 0 ? (guint) i : 0);
      on_stage_selected (self);
      return;
    }

  gtk_window_set_title (GTK_WINDOW (self), crm_record_get_string (CRM_RECORD (deal), "title"));
  gtk_editable_set_text (GTK_EDITABLE (self->title_row), crm_record_get_string (CRM_RECORD (deal), "title"));
  set_customer (self, crm_record_get_string (CRM_RECORD (deal), "contact_id"));
  amount = crm_record_dup_field_as_string (CRM_RECORD (deal), "amount");
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), amount != NULL ? amount : "");
  gtk_editable_set_text (GTK_EDITABLE (self->currency_row), crm_record_get_string (CRM_RECORD (deal), "currency"));
  gtk_editable_set_text (GTK_EDITABLE (self->expected_close_row),
                         crm_record_get_string (CRM_RECORD (deal), "expected_close") != NULL
                         ? crm_record_get_string (CRM_RECORD (deal), "expected_close") : "");
  i = find_id (self->stage_ids, crm_record_get_string (CRM_RECORD (deal), "stage_id"));
  adw_combo_row_set_selected (self->stage_row, i >= 0 ? (guint) i : 0);
  i = find_id (self->owner_ids, crm_record_get_owner_id (CRM_RECORD (deal)));
  adw_combo_row_set_selected (self->owner_row, i >= 0 ? (guint) i : 0);
  if (crm_record_get_string (CRM_RECORD (deal), "lost_reason") != NULL)
    {
      const char *reason = crm_record_get_string (CRM_RECORD (deal), "lost_reason");

      if (!g_strv_contains ((const char * const *) self->lost_reasons, reason))
        {
          GtkStringList *list = GTK_STRING_LIST (adw_combo_row_get_model (self->lost_reason_row));

          g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

          g_strv_builder_addv (builder, (const char **) self->lost_reasons);
          g_strv_builder_add (builder, reason);
          g_strfreev (self->lost_reasons);
          self->lost_reasons = g_strv_builder_end (builder);
          gtk_string_list_append (list, reason);
        }
      for (guint r = 0; self->lost_reasons[r] != NULL; r++)
        if (g_str_equal (self->lost_reasons[r], reason))
          adw_combo_row_set_selected (self->lost_reason_row, r);
    }
  if (crm_record_get_string (CRM_RECORD (deal), "notes") != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view),
                              crm_record_get_string (CRM_RECORD (deal), "notes"), -1);
  on_stage_selected (self);
  load_history (self);
}

/* --- Saving ---------------------------------------------------------------- */

static gboolean
set_field (CrmDeal     *deal,
           const char  *field,
           const char  *text,
           GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  return crm_record_set_field_from_string (CRM_RECORD (deal), field, trimmed, error);
}

static gboolean
save (CrmDealEditor  *self,
      CrmChangeSet   *undo,
      GError        **error)
{
  static const char * const edited[] = {
    "title", "contact_id", "amount", "currency", "expected_close", "notes", "owner_id", NULL
  };
  CrmStore *store = get_store (self);
  g_autoptr(CrmDeal) deal = NULL;
  g_autofree char *notes = NULL;
  const char *stage_id = selected_id (self->stage_ids, self->stage_row);
  const char *owner_id = selected_id (self->owner_ids, self->owner_row);
  const char *reason = NULL;
  GtkTextIter start, end;
  gboolean is_new = self->deal_id == NULL;

  if (stage_id == NULL)
    {
      g_set_error_literal (error, CRM_STORE_ERROR, CRM_STORE_ERROR_INVALID,
                           _("This pipeline has no stages, so the deal has nowhere to go."));
      return FALSE;
    }
  if (selected_stage_is_lost (self))
    {
      guint r = adw_combo_row_get_selected (self->lost_reason_row);

      if (r < g_strv_length (self->lost_reasons))
        reason = self->lost_reasons[r];
    }

  if (is_new)
    deal = crm_deal_new ();
  else
    {
      deal = crm_store_get (store, CRM_TYPE_DEAL, self->deal_id, error);
      if (deal == NULL)
        return FALSE;
      crm_change_set_remember_fields (undo, CRM_RECORD (deal), edited);
    }

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (self->notes_view), &start, &end);
  notes = gtk_text_buffer_get_text (gtk_text_view_get_buffer (self->notes_view), &start, &end, FALSE);
  if (!set_field (deal, "title", gtk_editable_get_text (GTK_EDITABLE (self->title_row)), error) ||
      !set_field (deal, "amount", gtk_editable_get_text (GTK_EDITABLE (self->amount_row)), error) ||
      !set_field (deal, "currency", gtk_editable_get_text (GTK_EDITABLE (self->currency_row)), error) ||
      !set_field (deal, "expected_close", gtk_editable_get_text (GTK_EDITABLE (self->expected_close_row)), error) ||
      !set_field (deal, "notes", notes, error))
    return FALSE;
  g_object_set (deal, "contact-id", self->contact_id, NULL);
  crm_record_set_owner_id (CRM_RECORD (deal), owner_id);

  if (!crm_store_begin (store, error))
    return FALSE;
  if (is_new)
    {
      /* Created in the chosen stage, then moved nowhere: a won or lost
       * choice closes it through the same path as a move. */
      g_object_set (deal, "pipeline-id", crm_deal_board_get_pipeline_id (self->board),
                    "stage-id", stage_id, NULL);
      if (reason != NULL || selected_stage_is_lost (self))
        g_object_set (deal, "lost-reason", reason, NULL);
      if (!crm_store_insert (store, CRM_RECORD (deal), error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
      crm_change_set_remember_insert (undo, CRM_RECORD (deal));
      g_free (self->deal_id);
      self->deal_id = g_strdup (crm_record_get_id (CRM_RECORD (deal)));
      {
        int s = crm_deal_board_find_stage (self->board, stage_id);

        if (s >= 0 && (crm_deal_board_get_stage_is_won (self->board, s) || crm_deal_board_get_stage_is_lost (self->board, s)))
          {
            g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
            g_autofree char *closed = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

            g_object_set (deal, "closed-at", closed, NULL);
            if (!crm_store_update (store, CRM_RECORD (deal), error))
              {
                crm_store_rollback (store);
                return FALSE;
              }
          }
      }
    }
  else
    {
      if (!crm_store_update (store, CRM_RECORD (deal), error) ||
          !crm_deal_move (store, self->deal_id, stage_id, reason, undo, error))
        {
          crm_store_rollback (store);
          return FALSE;
        }
    }
  return crm_store_commit (store, error);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  g_autoptr(CrmChangeSet) undo = crm_change_set_new (get_store (self));
  g_autoptr(GError) error = NULL;
  gboolean is_new = self->deal_id == NULL;

  if (!save (self, undo, &error))
    {
      if (is_new)
        g_clear_pointer (&self->deal_id, g_free);
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, undo, is_new ? _("Deal added") : _("Deal saved"));
  gtk_window_close (GTK_WINDOW (self));
}

/* editor.set-field (field, text): what typing into a field does, for
 * tests and scripts. */
static void
set_field_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmDealEditor *self = CRM_DEAL_EDITOR (widget);
  const char *field, *text;
  int i;

  g_variant_get (parameter, "(&s&s)", &field, &text);
  if (g_str_equal (field, "title"))
    gtk_editable_set_text (GTK_EDITABLE (self->title_row), text);
  else if (g_str_equal (field, "amount"))
    gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
  else if (g_str_equal (field, "currency"))
    gtk_editable_set_text (GTK_EDITABLE (self->currency_row), text);
  else if (g_str_equal (field, "expected_close"))
    gtk_editable_set_text (GTK_EDITABLE (self->expected_close_row), text);
  else if (g_str_equal (field, "notes"))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->notes_view), text, -1);
  else if (g_str_equal (field, "contact_id"))
    set_customer (self, *text != '\0' ? text : NULL);
  else if (g_str_equal (field, "stage_id") && (i = find_id (self->stage_ids, text)) >= 0)
    adw_combo_row_set_selected (self->stage_row, (guint) i);
  else if (g_str_equal (field, "owner_id") && (i = find_id (self->owner_ids, text)) >= 0)
    adw_combo_row_set_selected (self->owner_row, (guint) i);
  else
    g_warning ("The deal editor has no field “%s” with a value “%s”", field, text);
}

/* --- GObject --------------------------------------------------------------- */

static void
crm_deal_editor_dispose (GObject *object)
{
  CrmDealEditor *self = (CrmDealEditor *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_DEAL_EDITOR);
  g_clear_object (&self->board);

  G_OBJECT_CLASS (crm_deal_editor_parent_class)->dispose (object);
}

static void
crm_deal_editor_finalize (GObject *object)
{
  CrmDealEditor *self = (CrmDealEditor *)object;

  g_free (self->deal_id);
  g_free (self->contact_id);
  g_clear_pointer (&self->stage_ids, g_ptr_array_unref);
  g_clear_pointer (&self->owner_ids, g_ptr_array_unref);
  g_strfreev (self->lost_reasons);

  G_OBJECT_CLASS (crm_deal_editor_parent_class)->finalize (object);
}

static void
crm_deal_editor_class_init (CrmDealEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_deal_editor_dispose;
  object_class->finalize = crm_deal_editor_finalize;

  /**
   * CrmDealEditor::saved:
   * @changes: what the save wrote, to undo it
   * @message: what to tell the user ("Deal added")
   */
  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, CRM_TYPE_CHANGE_SET, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-deal-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, title_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, customer_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, customer_matches);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, amount_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, currency_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, stage_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, lost_reason_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, expected_close_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, owner_row);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, notes_view);
  gtk_widget_class_bind_template_child (widget_class, CrmDealEditor, history_group);
  gtk_widget_class_bind_template_callback (widget_class, on_customer_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_customer_match_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_stage_selected);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.set-field", "(ss)", set_field_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
crm_deal_editor_init (CrmDealEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stage_ids = g_ptr_array_new_with_free_func (g_free);
  self->owner_ids = g_ptr_array_new_with_free_func (g_free);
  self->lost_reasons = crm_deal_default_lost_reasons ();
}

CrmDealEditor *
crm_deal_editor_new (CrmDealBoard *board,
                     const char   *deal_id,
                     const char   *stage_id)
{
  CrmDealEditor *self;

  g_return_val_if_fail (CRM_IS_DEAL_BOARD (board), NULL);

  self = g_object_new (CRM_TYPE_DEAL_EDITOR, NULL);
  self->board = g_object_ref (board);
  self->deal_id = g_strdup (deal_id);
  fill_choices (self);
  load_deal (self, stage_id);
  return self;
}

const char *
crm_deal_editor_get_deal_id (CrmDealEditor *self)
{
  g_return_val_if_fail (CRM_IS_DEAL_EDITOR (self), NULL);

  return self->deal_id;
}

/* crm-contact-pane.c: one contact beside the list: header, editable fields, timeline, purchases */

#include "config.h"

#include <glib/gi18n.h>

#include "crm-contact.h"
#include "crm-contact-labels.h"
#include "crm-contact-pane.h"
#include "crm-contact-purchases.h"
#include "crm-contact-search.h"
#include "crm-timeline.h"
#include "crm-user-directory.h"

struct _CrmContactPane
{
  GtkWidget        parent_instance;

  CrmStore        *store;
  char            *contact_id;
  char            *error_message;
  gboolean         loading;

  /* Template widgets */
  GtkStack        *stack;
  GtkButton       *back_button;
  AdwAvatar       *avatar;
  GtkLabel        *name_label;
  GtkLabel        *subtitle_label;
  GtkLabel        *lifecycle_badge;
  GtkLabel        *owner_label;
  GtkStack        *tabs;
  GtkRevealer     *error_revealer;
  GtkLabel        *error_label;
  AdwEntryRow     *name_row;
  AdwComboRow     *gender_row;
  AdwEntryRow     *birthday_row;
  AdwEntryRow     *organization_row;
  AdwEntryRow     *title_row;
  AdwEntryRow     *occupation_row;
  AdwEntryRow     *phone_row;
  AdwEntryRow     *email_row;
  AdwEntryRow     *province_row;
  AdwEntryRow     *city_row;
  AdwEntryRow     *address_row;
  GtkSwitch       *consent_email_switch;
  GtkSwitch       *consent_sms_switch;
  AdwComboRow     *lifecycle_row;
  AdwEntryRow     *tags_row;
  AdwEntryRow     *source_row;
  AdwEntryRow     *notes_row;
  CrmTimeline     *timeline;
  CrmContactPurchases *purchases;
};

G_DEFINE_FINAL_TYPE (CrmContactPane, crm_contact_pane, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_CONTACT_ID,
  PROP_ERROR_MESSAGE,
  PROP_SHOW_BACK_BUTTON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  COMMITTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The data key of each entry row: the field it edits, in the names of
 * crm_contact_set_field_from_string(). */
#define FIELD_KEY "crm-field"
/* The text the row showed after loading, so focus-out saves only edits. */
#define LOADED_KEY "crm-loaded-text"

/* The columns a shorthand field writes, for undo. */
static const char * const *
columns_for_field (const char *field)
{
  static const char * const email[] = { "emails", NULL };
  static const char * const phone[] = { "phones", NULL };
  static const char * const lifecycle[] = { "lifecycle_override", NULL };
  static const char * const organization[] = { "organization_id", NULL };
  static const char * const consent_email[] = { "consent_email", "consent_email_at", NULL };
  static const char * const consent_sms[] = { "consent_sms", "consent_sms_at", NULL };

  if (g_str_equal (field, "email"))
    return email;
  if (g_str_equal (field, "phone"))
    return phone;
  if (g_str_equal (field, "lifecycle"))
    return lifecycle;
  if (g_str_equal (field, "organization"))
    return organization;
  if (g_str_equal (field, "consent_email"))
    return consent_email;
  if (g_str_equal (field, "consent_sms"))
    return consent_sms;
  return NULL;
}

static void
set_error_message (CrmContactPane *self,
                   const char     *message)
{
  if (g_strcmp0 (message, self->error_message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static AdwEntryRow *
row_for_field (CrmContactPane *self,
               const char     *field)
{
  AdwEntryRow *rows[] = {
    self->name_row, self->birthday_row, self->organization_row, self->title_row,
    self->occupation_row, self->phone_row, self->email_row, self->province_row,
    self->city_row, self->address_row, self->tags_row, self->source_row, self->notes_row,
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (g_strcmp0 (g_object_get_data (G_OBJECT (rows[i]), FIELD_KEY), field) == 0)
      return rows[i];
  return NULL;
}

/* The store says "phone: “123” is not …"; people read the row's title. */
static char *
message_for_row (AdwEntryRow  *row,
                 const char   *field,
                 const GError *error)
{
  g_autofree char *prefix = g_strdup_printf ("%s: ", field);
  g_autofree char *title = NULL;

  if (row == NULL || !g_str_has_prefix (error->message, prefix))
    return g_strdup (error->message);

  title = g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  /* Drop the mnemonic underscore. */
  for (char *p = title, *q = title; ; p++)
    {
      if (*p != '_')
        *q++ = *p;
      if (*p == '\0')
        break;
    }
  /* Translators: a field's name, then why its value was refused. */
  return g_strdup_printf (_("%s: %s"), title, error->message + strlen (prefix));
}

/* Finds the organization a person is linked to by its exact name. */
static char *
find_organization (CrmContactPane  *self,
                   const char      *name,
                   GError         **error)
{
  g_autoptr(GPtrArray) ids = crm_contact_search (self->store, name, 50, 0, NULL, error);

  if (ids == NULL)
    return NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(CrmContact) candidate = crm_store_get (self->store, CRM_TYPE_CONTACT,
                                                       g_ptr_array_index (ids, i), NULL);

      if (candidate != NULL &&
          g_strcmp0 (crm_contact_get_kind (candidate), "organization") == 0 &&
          g_strcmp0 (crm_contact_get_name (candidate), name) == 0)
        return g_strdup (crm_record_get_id (CRM_RECORD (candidate)));
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               _("There is no organization called “%s”. Check the name, or create it first with New Organization."),
               name);
  return NULL;
}

static gboolean
apply_field (CrmContactPane  *self,
             CrmContact      *contact,
             const char      *field,
             const char      *text,
             GError         **error)
{
  if (g_str_equal (field, "organization"))
    {
      g_autofree char *organization_id = NULL;

      if (text != NULL && *text != '\0')
        {
          organization_id = find_organization (self, text, error);
          if (organization_id == NULL)
            return FALSE;
        }
      return crm_contact_set_field_from_string (contact, "organization_id", organization_id, error);
    }

  /* Consent is recorded with the moment it was given. */
  if (g_str_equal (field, "consent_email") || g_str_equal (field, "consent_sms"))
    {
      g_autofree char *at_field = g_strconcat (field, "_at", NULL);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *at = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
      gboolean on = g_strcmp0 (text, "true") == 0;

      return crm_contact_set_field_from_string (contact, field, text, error) &&
             crm_contact_set_field_from_string (contact, at_field, on ? at : NULL, error);
    }

  return crm_contact_set_field_from_string (contact, field, text, error);
}

/* Saves one field as a field-level update and announces the undo. On a
 * refused value the store keeps what it had and the reason is shown. */
static gboolean
save_field (CrmContactPane *self,
            const char     *field,
            const char     *text)
{
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(CrmChangeSet) changes = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *columns = columns_for_field (field);
  const char *single[] = { field, NULL };
  AdwEntryRow *row = row_for_field (self, field);

  if (self->store == NULL || self->contact_id == NULL)
    return FALSE;

  contact = crm_store_get (self->store, CRM_TYPE_CONTACT, self->contact_id, &error);
  if (contact != NULL)
    {
      changes = crm_change_set_new (self->store);
      crm_change_set_remember_fields (changes, CRM_RECORD (contact),
                                      columns != NULL ? columns : single);
      gboolean changed = FALSE;

      if (apply_field (self, contact, field, text, &error) &&
          (!(changed = crm_record_has_changes (CRM_RECORD (contact))) ||
           crm_store_update (self->store, CRM_RECORD (contact), &error)))
        {
          set_error_message (self, NULL);
          if (row != NULL)
            gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
          if (changed)
            {
              g_autofree char *message = g_strdup_printf (_("Saved “%s”"), crm_contact_get_name (contact));
              g_signal_emit (self, signals[COMMITTED], 0, changes, message);
            }
          return TRUE;
        }
    }

  {
    g_autofree char *message = message_for_row (row, field, error);

    set_error_message (self, message);
    if (row != NULL)
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  }
  return FALSE;
}

static void
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  g_object_set_data_full (G_OBJECT (row), LOADED_KEY, g_strdup (text ? text : ""), g_free);
  gtk_editable_set_text (GTK_EDITABLE (row), text ? text : "");
  gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

static guint
index_of (const CrmValueLabel *table,
          const char          *value)
{
  for (guint i = 0; table[i].value != NULL; i++)
    if (g_strcmp0 (table[i].value, value) == 0)
      return i;
  return G_MAXUINT;
}

static void
load_contact (CrmContactPane *self)
{
  g_autoptr(CrmContact) contact = NULL;
  g_autoptr(CrmContact) organization = NULL;
  g_autofree char *tags = NULL;
  g_auto(GStrv) phones = NULL;
  const char * const *emails;
  const char *organization_id;
  const char *lifecycle;
  const char *override;
  guint index;

  set_error_message (self, NULL);
  if (self->store != NULL && self->contact_id != NULL)
    contact = crm_store_get (self->store, CRM_TYPE_CONTACT, self->contact_id, NULL);

  if (contact == NULL || crm_record_get_deleted (CRM_RECORD (contact)))
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  self->loading = TRUE;
  gtk_stack_set_visible_child_name (self->stack, "contact");

  organization_id = crm_record_get_string (CRM_RECORD (contact), "organization_id");
  if (organization_id != NULL)
    organization = crm_store_get (self->store, CRM_TYPE_CONTACT, organization_id, NULL);

  /* Header */
  gtk_label_set_label (self->name_label, crm_contact_get_name (contact));
  adw_avatar_set_text (self->avatar, crm_contact_get_name (contact));
  adw_avatar_set_icon_name (self->avatar,
                            g_strcmp0 (crm_contact_get_kind (contact), "organization") == 0
                            ? "x-office-address-book-symbolic" : NULL);
  {
    const char *title = crm_record_get_string (CRM_RECORD (contact), "title");
    g_autofree char *subtitle = NULL;

    if (g_strcmp0 (crm_contact_get_kind (contact), "organization") == 0)
      subtitle = g_strdup (_("Organization"));
    else if (organization != NULL && title != NULL)
      /* Translators: job title, then organization */
      subtitle = g_strdup_printf (_("%s, %s"), title, crm_contact_get_name (organization));
    else if (organization != NULL)
      subtitle = g_strdup (crm_contact_get_name (organization));
    else
      subtitle = g_strdup (title);
    gtk_label_set_label (self->subtitle_label, subtitle ? subtitle : "");
    gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle != NULL);
  }
  lifecycle = crm_contact_get_lifecycle (contact);
  gtk_label_set_label (self->lifecycle_badge, crm_value_label (crm_lifecycle_labels, lifecycle));
  for (guint i = 0; crm_lifecycle_labels[i].value != NULL; i++)
    {
      g_autofree char *css = g_strconcat ("lifecycle-", crm_lifecycle_labels[i].value, NULL);

      if (g_strcmp0 (crm_lifecycle_labels[i].value, lifecycle) == 0)
        gtk_widget_add_css_class (GTK_WIDGET (self->lifecycle_badge), css);
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->lifecycle_badge), css);
    }
  {
    const char *owner_id = crm_record_get_owner_id (CRM_RECORD (contact));
    g_autofree char *owner = NULL;

    if (owner_id == NULL)
      owner = g_strdup (_("No owner"));
    else
      {
        g_autoptr(GPtrArray) users = crm_user_directory_list (self->store, NULL);

        for (guint i = 0; users != NULL && i < users->len; i++)
          {
            CrmUserEntry *user = g_ptr_array_index (users, i);

            if (g_str_equal (user->id, owner_id))
              /* Translators: the user responsible for this customer */
              owner = g_strdup_printf (_("Owner: %s"), user->name);
          }
        if (owner == NULL)
          owner = g_strdup (_("Owner: unknown user"));
      }
    gtk_label_set_label (self->owner_label, owner);
  }

  /* Fields */
  set_row_text (self->name_row, crm_contact_get_name (contact));
  set_row_text (self->birthday_row, crm_record_get_string (CRM_RECORD (contact), "birthday"));
  set_row_text (self->organization_row, organization ? crm_contact_get_name (organization) : NULL);
  set_row_text (self->title_row, crm_record_get_string (CRM_RECORD (contact), "title"));
  set_row_text (self->occupation_row, crm_record_get_string (CRM_RECORD (contact), "occupation"));
  phones = crm_contact_dup_phone_numbers (contact);
  set_row_text (self->phone_row, phones[0]);
  emails = crm_contact_get_emails (contact);
  set_row_text (self->email_row, emails != NULL ? emails[0] : NULL);
  set_row_text (self->province_row, crm_record_get_string (CRM_RECORD (contact), "province"));
  set_row_text (self->city_row, crm_record_get_string (CRM_RECORD (contact), "city"));
  set_row_text (self->address_row, crm_record_get_string (CRM_RECORD (contact), "address"));
  tags = crm_record_dup_field_as_string (CRM_RECORD (contact), "tags");
  set_row_text (self->tags_row, tags);
  set_row_text (self->source_row, crm_record_get_string (CRM_RECORD (contact), "source"));
  set_row_text (self->notes_row, crm_record_get_string (CRM_RECORD (contact), "notes"));

  gtk_widget_set_sensitive (GTK_WIDGET (self->organization_row),
                            g_strcmp0 (crm_contact_get_kind (contact), "person") == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->gender_row),
                          g_strcmp0 (crm_contact_get_kind (contact), "person") == 0);

  /* Item 0 of both combos is "not set". */
  index = index_of (crm_gender_labels, crm_record_get_string (CRM_RECORD (contact), "gender"));
  adw_combo_row_set_selected (self->gender_row, index == G_MAXUINT ? 0 : index + 1);
  override = crm_record_get_string (CRM_RECORD (contact), "lifecycle_override");
  index = index_of (crm_lifecycle_labels, override);
  adw_combo_row_set_selected (self->lifecycle_row, index == G_MAXUINT ? 0 : index + 1);

  gtk_switch_set_active (self->consent_email_switch, crm_record_get_boolean (CRM_RECORD (contact), "consent_email"));
  gtk_switch_set_active (self->consent_sms_switch, crm_record_get_boolean (CRM_RECORD (contact), "consent_sms"));

  self->loading = FALSE;
}

static void
validate_row (CrmContactPane *self,
              AdwEntryRow    *row)
{
  g_autoptr(CrmContact) scratch = NULL;
  g_autoptr(GError) error = NULL;
  const char *field = g_object_get_data (G_OBJECT (row), FIELD_KEY);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  /* Names of organizations are checked when saved: that needs the store. */
  if (self->loading || g_str_equal (field, "organization"))
    return;

  scratch = crm_contact_new ();
  if (crm_contact_set_field_from_string (scratch, field, text, &error))
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
      set_error_message (self, NULL);
    }
  else
    {
      g_autofree char *message = message_for_row (row, field, error);

      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      set_error_message (self, message);
    }
}

static void
on_row_changed (AdwEntryRow    *row,
                CrmContactPane *self)
{
  validate_row (self, row);
}

static void
commit_row (CrmContactPane *self,
            AdwEntryRow    *row)
{
  const char *field = g_object_get_data (G_OBJECT (row), FIELD_KEY);
  const char *loaded = g_object_get_data (G_OBJECT (row), LOADED_KEY);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (self->loading || g_strcmp0 (loaded, text) == 0)
    return;

  if (save_field (self, field, text))
    g_object_set_data_full (G_OBJECT (row), LOADED_KEY, g_strdup (text), g_free);
}

static void
on_row_activated (AdwEntryRow    *row,
                  CrmContactPane *self)
{
  commit_row (self, row);
}

static void
on_row_focus_leave (GtkEventControllerFocus *controller,
                    CrmContactPane          *self)
{
  commit_row (self, ADW_ENTRY_ROW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller))));
}

static void
on_combo_selected (AdwComboRow    *row,
                   GParamSpec     *pspec,
                   CrmContactPane *self)
{
  const CrmValueLabel *table = row == self->gender_row ? crm_gender_labels : crm_lifecycle_labels;
  const char *field = row == self->gender_row ? "gender" : "lifecycle";
  guint selected = adw_combo_row_get_selected (row);

  if (self->loading || selected == GTK_INVALID_LIST_POSITION)
    return;

  save_field (self, field, selected == 0 ? NULL : table[selected - 1].value);
}

static void
on_switch_active (GtkSwitch      *toggle,
                  GParamSpec     *pspec,
                  CrmContactPane *self)
{
  if (self->loading)
    return;

  save_field (self, toggle == self->consent_email_switch ? "consent_email" : "consent_sms",
              gtk_switch_get_active (toggle) ? "true" : "false");
}

static void
on_store_changed (CrmContactPane *self,
                  const char     *table,
                  const char     *id,
                  CrmStore       *store)
{
  /* Reload on edits from elsewhere (undo, bulk edit, sync), keeping what
   * the user is typing: only when no entry of ours has focus. */
  if (self->contact_id == NULL)
    return;
  if (table != NULL && !g_str_equal (table, "contacts") && !g_str_equal (table, "users"))
    return;
  if (id != NULL && !g_str_equal (id, self->contact_id))
    return;

  load_contact (self);
}

static void
set_field_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CrmContactPane *self = CRM_CONTACT_PANE (widget);
  const char *field;
  const char *text;
  AdwEntryRow *row;

  g_variant_get (parameter, "(&s&s)", &field, &text);
  row = row_for_field (self, field);
  if (row != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (row), text);
      commit_row (self, row);
    }
  else
    save_field (self, field, text);
}

static void
on_timeline_committed (CrmContactPane *self,
                       CrmChangeSet   *changes,
                       const char     *message)
{
  g_signal_emit (self, signals[COMMITTED], 0, changes, message);
}

static GtkStringList *
labels_model (const CrmValueLabel *table,
              const char          *unset)
{
  GtkStringList *list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, unset);
  for (guint i = 0; table[i].value != NULL; i++)
    gtk_string_list_append (list, _(table[i].label));
  return list;
}

static void
crm_contact_pane_dispose (GObject *object)
{
  CrmContactPane *self = (CrmContactPane *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CRM_TYPE_CONTACT_PANE);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (crm_contact_pane_parent_class)->dispose (object);
}

static void
crm_contact_pane_finalize (GObject *object)
{
  CrmContactPane *self = (CrmContactPane *)object;

  g_clear_pointer (&self->contact_id, g_free);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (crm_contact_pane_parent_class)->finalize (object);
}

static void
crm_contact_pane_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CrmContactPane *self = CRM_CONTACT_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_CONTACT_ID:
      g_value_set_string (value, self->contact_id);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    case PROP_SHOW_BACK_BUTTON:
      g_value_set_boolean (value, gtk_widget_get_visible (GTK_WIDGET (self->back_button)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contact_pane_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CrmContactPane *self = CRM_CONTACT_PANE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      crm_contact_pane_set_store (self, g_value_get_object (value));
      break;

    case PROP_CONTACT_ID:
      crm_contact_pane_set_contact_id (self, g_value_get_string (value));
      break;

    case PROP_SHOW_BACK_BUTTON:
      gtk_widget_set_visible (GTK_WIDGET (self->back_button), g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
crm_contact_pane_class_init (CrmContactPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = crm_contact_pane_dispose;
  object_class->finalize = crm_contact_pane_finalize;
  object_class->get_property = crm_contact_pane_get_property;
  object_class->set_property = crm_contact_pane_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         CRM_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONTACT_ID] =
    g_param_spec_string ("contact-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_SHOW_BACK_BUTTON] =
    g_param_spec_boolean ("show-back-button", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CrmContactPane::committed:
   * @changes: how to undo the edit
   * @message: what happened, for a toast
   */
  signals[COMMITTED] =
    g_signal_new ("committed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, CRM_TYPE_CHANGE_SET, G_TYPE_STRING);

  g_type_ensure (CRM_TYPE_TIMELINE);
  g_type_ensure (CRM_TYPE_CONTACT_PURCHASES);

  gtk_widget_class_set_template_from_resource (widget_class, "/com/example/Crm/ui/crm-contact-pane.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "contactpane");
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, stack);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, avatar);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, name_label);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, lifecycle_badge);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, owner_label);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, tabs);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, error_label);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, name_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, gender_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, birthday_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, organization_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, title_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, occupation_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, phone_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, email_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, province_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, city_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, address_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, consent_email_switch);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, consent_sms_switch);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, lifecycle_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, tags_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, source_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, notes_row);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, timeline);
  gtk_widget_class_bind_template_child (widget_class, CrmContactPane, purchases);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_committed);

  /* (field, text): what typing into a row and pressing Enter does. */
  gtk_widget_class_install_action (widget_class, "contact.set-field", "(ss)", set_field_action);
}

static void
crm_contact_pane_init (CrmContactPane *self)
{
  struct {
    AdwEntryRow *row;
    const char *field;
  } rows[] = {
    { NULL, "name" }, { NULL, "birthday" }, { NULL, "organization" }, { NULL, "title" },
    { NULL, "occupation" }, { NULL, "phone" }, { NULL, "email" }, { NULL, "province" },
    { NULL, "city" }, { NULL, "address" }, { NULL, "tags" }, { NULL, "source" }, { NULL, "notes" },
  };
  g_autoptr(GtkStringList) genders = NULL;
  g_autoptr(GtkStringList) lifecycles = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  rows[0].row = self->name_row;
  rows[1].row = self->birthday_row;
  rows[2].row = self->organization_row;
  rows[3].row = self->title_row;
  rows[4].row = self->occupation_row;
  rows[5].row = self->phone_row;
  rows[6].row = self->email_row;
  rows[7].row = self->province_row;
  rows[8].row = self->city_row;
  rows[9].row = self->address_row;
  rows[10].row = self->tags_row;
  rows[11].row = self->source_row;
  rows[12].row = self->notes_row;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      GtkEventController *focus = gtk_event_controller_focus_new ();

      g_object_set_data (G_OBJECT (rows[i].row), FIELD_KEY, (gpointer) rows[i].field);
      g_signal_connect (rows[i].row, "changed", G_CALLBACK (on_row_changed), self);
      g_signal_connect (rows[i].row, "entry-activated", G_CALLBACK (on_row_activated), self);
      g_signal_connect (focus, "leave", G_CALLBACK (on_row_focus_leave), self);
      gtk_widget_add_controller (GTK_WIDGET (rows[i].row), focus);
    }

  genders = labels_model (crm_gender_labels, _("Not set"));
  adw_combo_row_set_model (self->gender_row, G_LIST_MODEL (genders));
  /* Translators: the lifecycle follows the purchases unless set by hand */
  lifecycles = labels_model (crm_lifecycle_labels, _("Automatic"));
  adw_combo_row_set_model (self->lifecycle_row, G_LIST_MODEL (lifecycles));

  g_signal_connect (self->gender_row, "notify::selected", G_CALLBACK (on_combo_selected), self);
  g_signal_connect (self->lifecycle_row, "notify::selected", G_CALLBACK (on_combo_selected), self);
  g_signal_connect (self->consent_email_switch, "notify::active", G_CALLBACK (on_switch_active), self);
  g_signal_connect (self->consent_sms_switch, "notify::active", G_CALLBACK (on_switch_active), self);
}

CrmStore *
crm_contact_pane_get_store (CrmContactPane *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_PANE (self), NULL);

  return self->store;
}

void
crm_contact_pane_set_store (CrmContactPane *self,
                            CrmStore       *store)
{
  g_return_if_fail (CRM_IS_CONTACT_PANE (self));
  g_return_if_fail (store == NULL || CRM_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_set_object (&self->store, store);
  if (store != NULL)
    g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self, G_CONNECT_SWAPPED);
  crm_timeline_set_store (self->timeline, store);
  crm_contact_purchases_set_store (self->purchases, store);

  load_contact (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const char *
crm_contact_pane_get_contact_id (CrmContactPane *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_PANE (self), NULL);

  return self->contact_id;
}

void
crm_contact_pane_set_contact_id (CrmContactPane *self,
                                 const char     *contact_id)
{
  g_return_if_fail (CRM_IS_CONTACT_PANE (self));

  if (g_strcmp0 (contact_id, self->contact_id) == 0)
    return;

  g_free (self->contact_id);
  self->contact_id = g_strdup (contact_id);
  crm_timeline_set_contact_id (self->timeline, contact_id);
  crm_contact_purchases_set_contact_id (self->purchases, contact_id);
  load_contact (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT_ID]);
}

const char *
crm_contact_pane_get_error_message (CrmContactPane *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_PANE (self), NULL);

  return self->error_message;
}

GtkWidget *
crm_contact_pane_get_timeline (CrmContactPane *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_PANE (self), NULL);

  return GTK_WIDGET (self->timeline);
}

GtkWidget *
crm_contact_pane_get_purchases (CrmContactPane *self)
{
  g_return_val_if_fail (CRM_IS_CONTACT_PANE (self), NULL);

  return GTK_WIDGET (self->purchases);
}

/* For a new contact: the name is what one types first. */
void
crm_contact_pane_focus_name (CrmContactPane *self)
{
  g_return_if_fail (CRM_IS_CONTACT_PANE (self));

  gtk_stack_set_visible_child_name (self->tabs, "details");
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

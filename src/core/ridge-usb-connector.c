/* ridge-usb-connector.c — RidgeConnector over USB bulk endpoints, with a pollable GIOStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A UsbLink is one opened and claimed interface. It keeps RIDGE_USB_IN_TRANSFERS bulk IN
 * transfers queued (their bytes land in a bounded buffer) and at most one bulk OUT transfer
 * in flight. Transfer callbacks run on the RidgeUsbContext's event thread and only touch
 * the link under its mutex; the streams are GPollableInputStream/GPollableOutputStream, so
 * GIO's own read_async/write_async (and cancellation) work on the caller's main context
 * through a GSource that the event thread wakes with g_source_set_ready_time().
 *
 * Errors are sticky: after "no device", a timeout or too many stalls, every read and write
 * fails with that error, so the session above goes LOST and reconnects.
 */
#define G_LOG_DOMAIN "ridge-usb"

#include "config.h"

#include <string.h>

#include "ridge-usb.h"
#include "ridge-usb-private.h"

#include "ridge-error.h"
#include "ridge-health.h"

#define INBUF_MAX     (4u * 1024u * 1024u)
#define OUT_CHUNK_MAX (64u * 1024u)

struct _RidgeUsbConnector {
  GObject             parent_instance;
  RidgeUsbContext    *ctx;
  guint16             vid;
  guint16             pid;
  char               *port_path;
  int                 bus;     /* -1 = any */
  int                 address; /* -1 = any */
  GMutex              lock;    /* counters and device */
  RidgeUsbCounters    counters;
  RidgeUsbDeviceInfo *device;
  /* the session's RidgeHealth gets the error counters (ridge_usb_connector_set_health) */
  GWeakRef         health;
  GMainContext    *health_context;
  RidgeUsbCounters reported;         /* counters as last given to health */
  gboolean         health_pending;   /* a flush is scheduled on health_context */
};

static void schedule_health_locked (RidgeUsbConnector *self);

/* ---- the link ------------------------------------------------------------------------- */

typedef struct {
  gint                    refcount;
  GMutex                  mutex;
  GCond                   cond;
  GMainContext           *context; /* where stall recovery runs */
  RidgeUsbConnector      *connector;
  libusb_device_handle   *handle;
  guint8                  iface;
  guint8                  ep_in;
  guint8                  ep_out;
  struct libusb_transfer *in[RIDGE_USB_IN_TRANSFERS];
  gboolean                in_busy[RIDGE_USB_IN_TRANSFERS];
  struct libusb_transfer *out;
  gboolean                out_busy;
  gboolean                out_zlp;
  guint                   in_flight;
  GByteArray             *inbuf;
  GError                 *error; /* sticky */
  gboolean                closing;
  gboolean                released;
  guint                   stalls_in_row_in;
  guint                   stalls_in_row_out;
  gboolean                halted_in;  /* a stall on that endpoint awaits its CLEAR_HALT */
  gboolean                halted_out;
  gboolean                recovering; /* recover_stall is scheduled or running */
} UsbLink;

#define COUNT(l, field, n) G_STMT_START {                 \
    g_mutex_lock (&(l)->connector->lock);                 \
    (l)->connector->counters.field += (n);                \
    schedule_health_locked ((l)->connector);              \
    g_mutex_unlock (&(l)->connector->lock);               \
} G_STMT_END

static UsbLink *
link_ref (UsbLink *l)
{
  g_atomic_int_inc (&l->refcount);
  return l;
}

static void
link_unref (UsbLink *l)
{
  if (!g_atomic_int_dec_and_test (&l->refcount))
    return;
  /* link_close ran (the streams close it before they go) and no transfer is in flight */
  for (guint i = 0; i < RIDGE_USB_IN_TRANSFERS; i++)
    if (l->in[i] != NULL)
      {
        g_free (l->in[i]->buffer);
        libusb_free_transfer (l->in[i]);
      }
  if (l->out != NULL)
    {
      g_free (l->out->buffer);
      libusb_free_transfer (l->out);
    }
  if (l->handle != NULL)
    libusb_close (l->handle);
  g_byte_array_unref (l->inbuf);
  g_clear_error (&l->error);
  g_main_context_unref (l->context);
  g_object_unref (l->connector);
  g_mutex_clear (&l->mutex);
  g_cond_clear (&l->cond);
  g_free (l);
}

/* Wakes the blocking calls and the link's main context, whose LinkSources then check the
 * state again. Call with the mutex held. */
static void
link_wake_locked (UsbLink *l)
{
  g_cond_broadcast (&l->cond);
  g_main_context_wakeup (l->context);
}

static void
link_fail_locked (UsbLink *l,
                  GError  *error)
{
  if (l->error == NULL)
    l->error = error;
  else
    g_error_free (error);
  link_wake_locked (l);
}

static void LIBUSB_CALL in_cb (struct libusb_transfer *t);

/* Submits every idle IN transfer while the buffer has room. Mutex held. */
static void
link_submit_in_locked (UsbLink *l)
{
  for (guint i = 0; i < RIDGE_USB_IN_TRANSFERS; i++)
    {
      int rc;

      if (l->in_busy[i] || l->closing || l->error != NULL || l->recovering)
        continue;
      if (l->inbuf->len + RIDGE_USB_IN_TRANSFER_SIZE * (l->in_flight + 1) > INBUF_MAX)
        return;
      rc = libusb_submit_transfer (l->in[i]);
      if (rc != 0)
        {
          if (rc == LIBUSB_ERROR_NO_DEVICE)
            COUNT (l, unplugs, 1);
          link_fail_locked (l, ridge_usb_error_new (rc, "USB bulk IN"));
          return;
        }
      l->in_busy[i] = TRUE;
      l->in_flight++;
    }
}

/* Clears the halts that stalls left, then resumes the transfers. Which endpoints to clear
 * comes from halted_in/halted_out, not from the stall counters: a transfer that completes
 * between the stall and this call (the other queued IN transfer) resets the counter, but the
 * endpoint is still halted. A stall while the halt is being cleared is handled by the loop. */
static gboolean
recover_stall (gpointer data)
{
  UsbLink *l = data;
  int rc = 0;

  g_mutex_lock (&l->mutex);
  while (rc == 0 && (l->halted_in || l->halted_out) && !l->closing && l->error == NULL)
    {
      gboolean in = l->halted_in;
      gboolean out = l->halted_out;

      l->halted_in = l->halted_out = FALSE;
      g_mutex_unlock (&l->mutex);

      g_debug ("clearing the halt on%s%s", in ? " IN" : "", out ? " OUT" : "");
      /* synchronous control transfers: the event thread completes them */
      if (in)
        rc = libusb_clear_halt (l->handle, l->ep_in);
      if (rc == 0 && out)
        rc = libusb_clear_halt (l->handle, l->ep_out);

      g_mutex_lock (&l->mutex);
    }
  l->recovering = FALSE;
  if (rc != 0)
    {
      COUNT (l, errors, 1);
      link_fail_locked (l, ridge_usb_error_new (rc, "clearing a stalled USB endpoint"));
    }
  else
    {
      /* resubmits the IN transfers and wakes the writers that waited for the recovery */
      link_submit_in_locked (l);
      link_wake_locked (l);
    }
  g_mutex_unlock (&l->mutex);
  return G_SOURCE_REMOVE;
}

/* A transfer stalled: count it, and clear the halt from the link's main context (libusb's
 * synchronous calls must not run on the event thread). Mutex held. */
static void
link_stalled_locked (UsbLink  *l,
                     guint    *in_row,
                     gboolean *halted,
                     guint8    ep)
{
  COUNT (l, stalls, 1);
  *halted = TRUE;
  (*in_row)++;
  if (*in_row >= RIDGE_USB_MAX_STALLS)
    {
      link_fail_locked (l, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST,
                                            "USB endpoint 0x%02x stalled %u times in a row",
                                            ep, *in_row));
      return;
    }
  if (!l->recovering && !l->closing)
    {
      l->recovering = TRUE;
      /* not g_main_context_invoke(): it would run here when nobody owns the context */
      GSource *idle = g_idle_source_new ();
      /* G_PRIORITY_DEFAULT, not idle priority: ready default-priority sources (I/O, timers,
       * the application's) must not starve the recovery the link waits for */
      g_source_set_priority (idle, G_PRIORITY_DEFAULT);
      g_source_set_callback (idle, recover_stall, link_ref (l), (GDestroyNotify)link_unref);
      g_source_attach (idle, l->context);
      g_source_unref (idle);
    }
}

static void
link_transfer_failed_locked (UsbLink                    *l,
                             enum libusb_transfer_status status,
                             const char                 *what)
{
  switch (status)
    {
      case LIBUSB_TRANSFER_NO_DEVICE:
        COUNT (l, unplugs, 1);
        link_fail_locked (l, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                          "%s: the USB device was unplugged", what));
        break;
      case LIBUSB_TRANSFER_TIMED_OUT:
        COUNT (l, timeouts, 1);
        link_fail_locked (l, ridge_error_new (RIDGE_ERROR_TIMED_OUT,
                                              "%s: the terminal did not accept data for %u ms",
                                              what, RIDGE_USB_OUT_TIMEOUT_MS));
        break;
      case LIBUSB_TRANSFER_CANCELLED:
        break;
      case LIBUSB_TRANSFER_ERROR:
      case LIBUSB_TRANSFER_OVERFLOW:
      case LIBUSB_TRANSFER_COMPLETED:
      case LIBUSB_TRANSFER_STALL:
      default:
        COUNT (l, errors, 1);
        link_fail_locked (l, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, "%s: transfer %s",
                                              what, status == LIBUSB_TRANSFER_OVERFLOW ?
                                              "overflow" : "error"));
        break;
    }
}

static void LIBUSB_CALL
in_cb (struct libusb_transfer *t)
{
  UsbLink *l = t->user_data;
  guint idx = 0;

  g_mutex_lock (&l->mutex);
  while (idx < RIDGE_USB_IN_TRANSFERS && l->in[idx] != t)
    idx++;
  g_assert (idx < RIDGE_USB_IN_TRANSFERS);
  l->in_busy[idx] = FALSE;
  l->in_flight--;

  if (t->status == LIBUSB_TRANSFER_COMPLETED)
    {
      COUNT (l, transfers_in, 1);
      COUNT (l, bytes_in, (guint64)t->actual_length);
      l->stalls_in_row_in = 0;
      if (t->actual_length > 0)
        g_byte_array_append (l->inbuf, t->buffer, (guint)t->actual_length);
      link_submit_in_locked (l);
    }
  else if (t->status == LIBUSB_TRANSFER_STALL)
    {
      if (t->actual_length > 0)
        g_byte_array_append (l->inbuf, t->buffer, (guint)t->actual_length);
      link_stalled_locked (l, &l->stalls_in_row_in, &l->halted_in, l->ep_in);
    }
  else if (!l->closing)
    {
      link_transfer_failed_locked (l, t->status, "USB bulk IN");
    }
  link_wake_locked (l);
  g_mutex_unlock (&l->mutex);
}

static void LIBUSB_CALL
out_cb (struct libusb_transfer *t)
{
  UsbLink *l = t->user_data;

  g_mutex_lock (&l->mutex);
  l->out_busy = FALSE;
  l->in_flight--;
  if (t->status == LIBUSB_TRANSFER_COMPLETED && t->actual_length == t->length)
    {
      COUNT (l, transfers_out, 1);
      COUNT (l, bytes_out, (guint64)t->actual_length);
      l->stalls_in_row_out = 0;
    }
  else if (t->status == LIBUSB_TRANSFER_STALL)
    {
      /* the bytes are lost; the terminal's decoder resynchronises (protocol.md §18.4) */
      link_stalled_locked (l, &l->stalls_in_row_out, &l->halted_out, l->ep_out);
    }
  else if (t->status == LIBUSB_TRANSFER_COMPLETED)
    {
      COUNT (l, errors, 1);
      link_fail_locked (l, ridge_error_new (RIDGE_ERROR_CONNECTION_LOST,
                                            "USB bulk OUT: short write (%d of %d bytes)",
                                            t->actual_length, t->length));
    }
  else if (!l->closing)
    {
      link_transfer_failed_locked (l, t->status, "USB bulk OUT");
    }
  link_wake_locked (l);
  g_mutex_unlock (&l->mutex);
}

static gboolean
link_readable_locked (UsbLink *l)
{
  return l->inbuf->len > 0 || l->error != NULL || l->closing;
}

/* Must agree with link_write_locked(): a source that reports "writable" while the write
 * answers WOULD_BLOCK (as during a stall recovery) makes GIO's pollable write loop spin on
 * the main context, which then never gets to the recovery itself. */
static gboolean
link_writable_locked (UsbLink *l)
{
  return (!l->out_busy && !l->recovering) || l->error != NULL || l->closing;
}

static gssize
link_read_locked (UsbLink *l,
                  void    *buffer,
                  gsize    count,
                  GError **error)
{
  gsize n;

  if (l->inbuf->len > 0)
    {
      n = MIN (count, l->inbuf->len);
      memcpy (buffer, l->inbuf->data, n);
      g_byte_array_remove_range (l->inbuf, 0, (guint)n);
      link_submit_in_locked (l);
      return (gssize)n;
    }
  if (l->error != NULL)
    {
      g_propagate_error (error, g_error_copy (l->error));
      return -1;
    }
  if (l->closing)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The USB link is closed");
      return -1;
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "No data from the terminal yet");
  return -1;
}

static gssize
link_write_locked (UsbLink    *l,
                   const void *buffer,
                   gsize       count,
                   GError    **error)
{
  gsize n = MIN (count, OUT_CHUNK_MAX);
  int rc;

  if (l->error != NULL)
    {
      g_propagate_error (error, g_error_copy (l->error));
      return -1;
    }
  if (l->closing)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "The USB link is closed");
      return -1;
    }
  if (l->out_busy || l->recovering)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, "USB bulk OUT busy");
      return -1;
    }
  memcpy (l->out->buffer, buffer, n);
  l->out->length = (int)n;
  l->out->flags = l->out_zlp ? LIBUSB_TRANSFER_ADD_ZERO_PACKET : 0;
  rc = libusb_submit_transfer (l->out);
  if (rc == LIBUSB_ERROR_NOT_SUPPORTED && l->out_zlp)
    {
      /* the kernel cannot add ZLPs (USBDEVFS_CAP_ZERO_PACKET): the terminal parses bytes */
      l->out_zlp = FALSE;
      l->out->flags = 0;
      rc = libusb_submit_transfer (l->out);
    }
  if (rc != 0)
    {
      if (rc == LIBUSB_ERROR_NO_DEVICE)
        COUNT (l, unplugs, 1);
      l->error = ridge_usb_error_new (rc, "USB bulk OUT");
      link_wake_locked (l);
      g_propagate_error (error, g_error_copy (l->error));
      return -1;
    }
  l->out_busy = TRUE;
  l->in_flight++;
  return (gssize)n;
}

/* Waits (for the blocking read/write/flush) until ready() holds or cancellable fires. */
static gboolean
link_wait_locked (UsbLink      *l,
                  gboolean (   *ready ) (UsbLink *l),
                  GCancellable *cancellable,
                  GError      **error)
{
  while (!ready (l))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_cond_wait_until (&l->cond, &l->mutex,
                         g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
    }
  return TRUE;
}

static gboolean
out_idle_locked (UsbLink *l)
{
  return !l->out_busy || l->error != NULL;
}

static void
link_close (UsbLink *l)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&l->mutex);
  if (l->closing)
    {
      g_mutex_unlock (&l->mutex);
      return;
    }
  l->closing = TRUE;
  for (guint i = 0; i < RIDGE_USB_IN_TRANSFERS; i++)
    if (l->in_busy[i])
      libusb_cancel_transfer (l->in[i]);
  if (l->out_busy)
    libusb_cancel_transfer (l->out);
  while (l->in_flight > 0)
    if (!g_cond_wait_until (&l->cond, &l->mutex, deadline))
      break;
  link_wake_locked (l);
  if (l->in_flight > 0)
    {
      /* never free a transfer libusb still owns: keep the link (and leak it) */
      g_warning ("USB link: %u transfers did not finish after cancel", l->in_flight);
      link_ref (l);
      g_mutex_unlock (&l->mutex);
      return;
    }
  g_mutex_unlock (&l->mutex);
  if (!l->released)
    {
      l->released = TRUE;
      libusb_release_interface (l->handle, l->iface); /* fails harmlessly when unplugged */
    }
}

/* ---- GSource woken by the link ---------------------------------------------------------- */

typedef struct {
  GSource  source;
  UsbLink *link;
  gboolean out;
} LinkSource;

static gboolean
link_source_ready (LinkSource *s)
{
  gboolean ready;

  g_mutex_lock (&s->link->mutex);
  ready = s->out ? link_writable_locked (s->link) : link_readable_locked (s->link);
  g_mutex_unlock (&s->link->mutex);
  return ready;
}

static gboolean
link_source_prepare (GSource *source,
                     gint    *timeout)
{
  *timeout = -1;
  return link_source_ready ((LinkSource *)source);
}

static gboolean
link_source_check (GSource *source)
{
  return link_source_ready ((LinkSource *)source);
}

/* Only a child of a g_pollable_source_new_full() source: being ready makes the parent
 * dispatch, which calls the stream's nonblocking read or write. */
static gboolean
link_source_dispatch (GSource    *source,
                      GSourceFunc callback,
                      gpointer    user_data)
{
  (void)source;
  (void)callback;
  (void)user_data;
  return G_SOURCE_CONTINUE;
}

static void
link_source_finalize (GSource *source)
{
  link_unref (((LinkSource *)source)->link);
}

/* g_pollable_source_new_full() gives the child a dummy closure, which needs this */
static gboolean
link_source_closure_callback (gpointer data)
{
  (void)data;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs link_source_funcs = {
  link_source_prepare, link_source_check, link_source_dispatch, link_source_finalize,
  link_source_closure_callback, NULL,
};

static GSource *
link_source_new (UsbLink      *l,
                 GObject      *stream,
                 gboolean      out,
                 GCancellable *cancellable)
{
  LinkSource *s = (LinkSource *)g_source_new (&link_source_funcs, sizeof (LinkSource));
  GSource *pollable;

  g_source_set_static_name ((GSource *)s, out ? "ridge-usb-out" : "ridge-usb-in");
  s->link = link_ref (l);
  s->out = out;

  pollable = g_pollable_source_new_full (stream, (GSource *)s, cancellable);
  g_source_unref ((GSource *)s);
  return pollable;
}

/* ---- streams -------------------------------------------------------------------------- */

#define RIDGE_TYPE_USB_INPUT_STREAM (ridge_usb_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (RidgeUsbInputStream, ridge_usb_input_stream, RIDGE, USB_INPUT_STREAM,
                      GInputStream)
#define RIDGE_TYPE_USB_OUTPUT_STREAM (ridge_usb_output_stream_get_type ())
G_DECLARE_FINAL_TYPE (RidgeUsbOutputStream, ridge_usb_output_stream, RIDGE, USB_OUTPUT_STREAM,
                      GOutputStream)
#define RIDGE_TYPE_USB_IO_STREAM (ridge_usb_io_stream_get_type ())
G_DECLARE_FINAL_TYPE (RidgeUsbIOStream, ridge_usb_io_stream, RIDGE, USB_IO_STREAM, GIOStream)

struct _RidgeUsbInputStream {
  GInputStream parent_instance;
  UsbLink     *link;
};

struct _RidgeUsbOutputStream {
  GOutputStream parent_instance;
  UsbLink      *link;
};

struct _RidgeUsbIOStream {
  GIOStream      parent_instance;
  GInputStream  *in;
  GOutputStream *out;
};

static void ridge_usb_input_pollable_init (GPollableInputStreamInterface *iface);
static void ridge_usb_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RidgeUsbInputStream, ridge_usb_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      ridge_usb_input_pollable_init));
G_DEFINE_FINAL_TYPE_WITH_CODE (RidgeUsbOutputStream, ridge_usb_output_stream,
                               G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      ridge_usb_output_pollable_init));
G_DEFINE_FINAL_TYPE (RidgeUsbIOStream, ridge_usb_io_stream, G_TYPE_IO_STREAM);

static gboolean
in_ready (UsbLink *l)
{
  return link_readable_locked (l);
}

static gssize
usb_in_read (GInputStream *stream,
             void         *buffer,
             gsize         count,
             GCancellable *cancellable,
             GError      **error)
{
  UsbLink *l = RIDGE_USB_INPUT_STREAM (stream)->link;
  gssize n = -1;

  g_mutex_lock (&l->mutex);
  if (link_wait_locked (l, in_ready, cancellable, error))
    n = link_read_locked (l, buffer, count, error);
  g_mutex_unlock (&l->mutex);
  return n;
}

static gboolean
usb_in_close (GInputStream *stream,
              GCancellable *cancellable,
              GError      **error)
{
  (void)cancellable;
  (void)error;
  link_close (RIDGE_USB_INPUT_STREAM (stream)->link);
  return TRUE;
}

static gboolean
usb_in_is_readable (GPollableInputStream *stream)
{
  UsbLink *l = RIDGE_USB_INPUT_STREAM (stream)->link;
  gboolean r;

  g_mutex_lock (&l->mutex);
  r = link_readable_locked (l);
  g_mutex_unlock (&l->mutex);
  return r;
}

static GSource *
usb_in_create_source (GPollableInputStream *stream,
                      GCancellable         *cancellable)
{
  return link_source_new (RIDGE_USB_INPUT_STREAM (stream)->link, G_OBJECT (stream), FALSE,
                          cancellable);
}

static gssize
usb_in_read_nonblocking (GPollableInputStream *stream,
                         void                 *buffer,
                         gsize                 count,
                         GError              **error)
{
  UsbLink *l = RIDGE_USB_INPUT_STREAM (stream)->link;
  gssize n;

  g_mutex_lock (&l->mutex);
  n = link_read_locked (l, buffer, count, error);
  g_mutex_unlock (&l->mutex);
  return n;
}

static void
ridge_usb_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = usb_in_is_readable;
  iface->create_source = usb_in_create_source;
  iface->read_nonblocking = usb_in_read_nonblocking;
}

static void
ridge_usb_input_stream_finalize (GObject *object)
{
  RidgeUsbInputStream *self = RIDGE_USB_INPUT_STREAM (object);

  link_unref (self->link);
  G_OBJECT_CLASS (ridge_usb_input_stream_parent_class)->finalize (object);
}

static void
ridge_usb_input_stream_class_init (RidgeUsbInputStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_usb_input_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = usb_in_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = usb_in_close;
}

static void
ridge_usb_input_stream_init (RidgeUsbInputStream *self)
{
  (void)self;
}

static gboolean
out_ready (UsbLink *l)
{
  return link_writable_locked (l);
}

static gssize
usb_out_write (GOutputStream *stream,
               const void    *buffer,
               gsize          count,
               GCancellable  *cancellable,
               GError       **error)
{
  UsbLink *l = RIDGE_USB_OUTPUT_STREAM (stream)->link;
  gssize n = -1;

  g_mutex_lock (&l->mutex);
  while (link_wait_locked (l, out_ready, cancellable, error))
    {
      GError *local = NULL;
      n = link_write_locked (l, buffer, count, &local);
      if (n < 0 && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          /* a stall recovery is running: wait for it */
          g_error_free (local);
          g_cond_wait_until (&l->cond, &l->mutex,
                             g_get_monotonic_time () + 50 * G_TIME_SPAN_MILLISECOND);
          continue;
        }
      if (local != NULL)
        g_propagate_error (error, local);
      break;
    }
  g_mutex_unlock (&l->mutex);
  return n;
}

static gboolean
usb_out_flush (GOutputStream *stream,
               GCancellable  *cancellable,
               GError       **error)
{
  UsbLink *l = RIDGE_USB_OUTPUT_STREAM (stream)->link;
  gboolean ok;

  g_mutex_lock (&l->mutex);
  ok = link_wait_locked (l, out_idle_locked, cancellable, error);
  if (ok && l->error != NULL)
    {
      g_propagate_error (error, g_error_copy (l->error));
      ok = FALSE;
    }
  g_mutex_unlock (&l->mutex);
  return ok;
}

static gboolean
usb_out_close (GOutputStream *stream,
               GCancellable  *cancellable,
               GError       **error)
{
  (void)cancellable;
  (void)error;
  link_close (RIDGE_USB_OUTPUT_STREAM (stream)->link);
  return TRUE;
}

static gboolean
usb_out_is_writable (GPollableOutputStream *stream)
{
  UsbLink *l = RIDGE_USB_OUTPUT_STREAM (stream)->link;
  gboolean r;

  g_mutex_lock (&l->mutex);
  r = link_writable_locked (l);
  g_mutex_unlock (&l->mutex);
  return r;
}

static GSource *
usb_out_create_source (GPollableOutputStream *stream,
                       GCancellable          *cancellable)
{
  return link_source_new (RIDGE_USB_OUTPUT_STREAM (stream)->link, G_OBJECT (stream), TRUE,
                          cancellable);
}

static gssize
usb_out_write_nonblocking (GPollableOutputStream *stream,
                           const void            *buffer,
                           gsize                  count,
                           GError               **error)
{
  UsbLink *l = RIDGE_USB_OUTPUT_STREAM (stream)->link;
  gssize n;

  g_mutex_lock (&l->mutex);
  n = link_write_locked (l, buffer, count, error);
  g_mutex_unlock (&l->mutex);
  return n;
}

static void
ridge_usb_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->is_writable = usb_out_is_writable;
  iface->create_source = usb_out_create_source;
  iface->write_nonblocking = usb_out_write_nonblocking;
}

static void
ridge_usb_output_stream_finalize (GObject *object)
{
  RidgeUsbOutputStream *self = RIDGE_USB_OUTPUT_STREAM (object);

  link_unref (self->link);
  G_OBJECT_CLASS (ridge_usb_output_stream_parent_class)->finalize (object);
}

static void
ridge_usb_output_stream_class_init (RidgeUsbOutputStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_usb_output_stream_finalize;
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = usb_out_write;
  G_OUTPUT_STREAM_CLASS (klass)->flush = usb_out_flush;
  G_OUTPUT_STREAM_CLASS (klass)->close_fn = usb_out_close;
}

static void
ridge_usb_output_stream_init (RidgeUsbOutputStream *self)
{
  (void)self;
}

static GInputStream *
usb_io_get_input (GIOStream *stream)
{
  return RIDGE_USB_IO_STREAM (stream)->in;
}

static GOutputStream *
usb_io_get_output (GIOStream *stream)
{
  return RIDGE_USB_IO_STREAM (stream)->out;
}

static void
ridge_usb_io_stream_dispose (GObject *object)
{
  RidgeUsbIOStream *self = RIDGE_USB_IO_STREAM (object);

  G_OBJECT_CLASS (ridge_usb_io_stream_parent_class)->dispose (object);
  g_clear_object (&self->in);
  g_clear_object (&self->out);
}

static void
ridge_usb_io_stream_class_init (RidgeUsbIOStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ridge_usb_io_stream_dispose;
  G_IO_STREAM_CLASS (klass)->get_input_stream = usb_io_get_input;
  G_IO_STREAM_CLASS (klass)->get_output_stream = usb_io_get_output;
}

static void
ridge_usb_io_stream_init (RidgeUsbIOStream *self)
{
  (void)self;
}

static GIOStream *
usb_io_stream_new (UsbLink *l)
{
  RidgeUsbIOStream *self = g_object_new (RIDGE_TYPE_USB_IO_STREAM, NULL);
  RidgeUsbInputStream *in = g_object_new (RIDGE_TYPE_USB_INPUT_STREAM, NULL);
  RidgeUsbOutputStream *out = g_object_new (RIDGE_TYPE_USB_OUTPUT_STREAM, NULL);

  in->link = link_ref (l);
  out->link = link_ref (l);
  self->in = G_INPUT_STREAM (in);
  self->out = G_OUTPUT_STREAM (out);
  return G_IO_STREAM (self);
}

/* ---- the connector -------------------------------------------------------------------- */

static void ridge_usb_connector_iface_init (RidgeConnectorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RidgeUsbConnector, ridge_usb_connector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RIDGE_TYPE_CONNECTOR,
                                                      ridge_usb_connector_iface_init));

static gboolean
device_selected (RidgeUsbConnector        *self,
                 const RidgeUsbDeviceInfo *info)
{
  if (self->port_path != NULL && g_strcmp0 (self->port_path, info->port_path) != 0)
    return FALSE;
  if (self->bus >= 0 && (info->bus != self->bus || info->address != self->address))
    return FALSE;
  return TRUE;
}

/* Runs in a GTask thread: finds, opens, claims and resets the interface. */
static UsbLink *
usb_open (RidgeUsbConnector *self,
          GMainContext      *context,
          GError           **error)
{
  libusb_context *ctx = ridge_usb_context_get_libusb (self->ctx);
  libusb_device **list = NULL;
  libusb_device_handle *handle = NULL;
  g_autoptr (RidgeUsbDeviceInfo) info = NULL;
  ssize_t n = libusb_get_device_list (ctx, &list);
  UsbLink *l;
  int rc = 0;

  if (n < 0)
    {
      g_propagate_error (error, ridge_usb_error_new ((int)n, "listing USB devices"));
      return NULL;
    }
  for (ssize_t i = 0; i < n && handle == NULL; i++)
    {
      g_autoptr (RidgeUsbDeviceInfo) cand = ridge_usb_probe_device (list[i], self->vid,
                                                                    self->pid, FALSE);
      if (cand == NULL || !device_selected (self, cand))
        continue;
      rc = libusb_open (list[i], &handle);
      if (rc != 0)
        continue; /* remember rc: reported when no other device opens */
      info = g_steal_pointer (&cand);
    }
  libusb_free_device_list (list, TRUE);
  if (handle == NULL)
    {
      g_autofree char *where = ridge_connector_describe (RIDGE_CONNECTOR (self));
      if (rc != 0)
        g_propagate_error (error, ridge_usb_error_new (rc, where));
      else
        g_set_error (error, RIDGE_ERROR, RIDGE_ERROR_UNREACHABLE,
                     "%s: no Ridge terminal on USB", where);
      return NULL;
    }

  libusb_set_auto_detach_kernel_driver (handle, 1); /* not supported everywhere: ignore */
  rc = libusb_claim_interface (handle, info->interface_number);
  /* SET_INTERFACE is the terminal's link reset (protocol.md §18.4) */
  if (rc == 0)
    rc = libusb_set_interface_alt_setting (handle, info->interface_number, 0);
  if (rc == 0)
    rc = libusb_clear_halt (handle, info->ep_in);
  if (rc == 0)
    rc = libusb_clear_halt (handle, info->ep_out);
  if (rc != 0)
    {
      g_autofree char *where = g_strdup_printf ("usb:%s", info->port_path);
      g_propagate_error (error, ridge_usb_error_new (rc, where));
      libusb_release_interface (handle, info->interface_number);
      libusb_close (handle);
      return NULL;
    }
  {
    libusb_device *dev = libusb_get_device (handle);
    struct libusb_device_descriptor desc;
    if (libusb_get_device_descriptor (dev, &desc) == 0)
      {
        unsigned char buf[256];
        int len = desc.iProduct ? libusb_get_string_descriptor_ascii (handle, desc.iProduct, buf,
                                                                      sizeof buf - 1) : -1;
        if (len >= 0)
          info->product = g_utf8_make_valid ((const char *)buf, len);
        len = desc.iSerialNumber ?
              libusb_get_string_descriptor_ascii (handle, desc.iSerialNumber, buf,
                                                  sizeof buf - 1) : -1;
        if (len >= 0)
          info->serial = g_utf8_make_valid ((const char *)buf, len);
      }
  }

  l = g_new0 (UsbLink, 1);
  l->refcount = 1;
  g_mutex_init (&l->mutex);
  g_cond_init (&l->cond);
  l->context = g_main_context_ref (context);
  l->connector = g_object_ref (self);
  l->handle = handle;
  l->iface = info->interface_number;
  l->ep_in = info->ep_in;
  l->ep_out = info->ep_out;
  l->out_zlp = TRUE;
  l->inbuf = g_byte_array_new ();
  for (guint i = 0; i < RIDGE_USB_IN_TRANSFERS; i++)
    {
      l->in[i] = libusb_alloc_transfer (0);
      libusb_fill_bulk_transfer (l->in[i], handle, l->ep_in,
                                 g_malloc (RIDGE_USB_IN_TRANSFER_SIZE),
                                 RIDGE_USB_IN_TRANSFER_SIZE, in_cb, l, 0);
    }
  l->out = libusb_alloc_transfer (0);
  libusb_fill_bulk_transfer (l->out, handle, l->ep_out, g_malloc (OUT_CHUNK_MAX), 0, out_cb, l,
                             RIDGE_USB_OUT_TIMEOUT_MS);

  g_mutex_lock (&self->lock);
  self->counters.opens++;
  self->counters.resets++;
  schedule_health_locked (self);
  ridge_usb_device_info_free (self->device);
  self->device = g_steal_pointer (&info);
  g_mutex_unlock (&self->lock);

  g_mutex_lock (&l->mutex);
  link_submit_in_locked (l);
  if (l->error != NULL)
    {
      GError *e = g_steal_pointer (&l->error);
      g_mutex_unlock (&l->mutex);
      link_close (l);
      link_unref (l);
      g_propagate_error (error, e);
      return NULL;
    }
  g_mutex_unlock (&l->mutex);
  return l;
}

static void
usb_connect_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  UsbLink *l;

  (void)cancellable;
  l = usb_open (RIDGE_USB_CONNECTOR (source), task_data, &error);
  if (l == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  {
    GIOStream *stream = usb_io_stream_new (l);
    link_unref (l);
    g_task_return_pointer (task, stream, g_object_unref);
  }
}

static void
usb_connect_async (RidgeConnector     *connector,
                   GCancellable       *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (connector, cancellable, callback, user_data);

  g_task_set_source_tag (task, usb_connect_async);
  g_task_set_task_data (task, g_main_context_ref_thread_default (),
                        (GDestroyNotify)g_main_context_unref);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, usb_connect_thread);
}

static GIOStream *
usb_connect_finish (RidgeConnector *connector,
                    GAsyncResult   *result,
                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connector), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
usb_describe (RidgeConnector *connector)
{
  RidgeUsbConnector *self = RIDGE_USB_CONNECTOR (connector);

  if (self->port_path != NULL)
    return g_strdup_printf ("usb:%s", self->port_path);
  if (self->bus >= 0)
    return g_strdup_printf ("usb:%03d:%03d", self->bus, self->address);
  return g_strdup_printf ("usb:%04x:%04x", self->vid, self->pid);
}

static void
ridge_usb_connector_iface_init (RidgeConnectorInterface *iface)
{
  iface->connect_async = usb_connect_async;
  iface->connect_finish = usb_connect_finish;
  iface->describe = usb_describe;
}

static void
ridge_usb_connector_finalize (GObject *object)
{
  RidgeUsbConnector *self = RIDGE_USB_CONNECTOR (object);

  g_clear_object (&self->ctx);
  g_weak_ref_clear (&self->health);
  g_clear_pointer (&self->health_context, g_main_context_unref);
  g_free (self->port_path);
  ridge_usb_device_info_free (self->device);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (ridge_usb_connector_parent_class)->finalize (object);
}

static void
ridge_usb_connector_class_init (RidgeUsbConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_usb_connector_finalize;
}

static void
ridge_usb_connector_init (RidgeUsbConnector *self)
{
  g_mutex_init (&self->lock);
  g_weak_ref_init (&self->health, NULL);
  self->bus = -1;
  self->address = -1;
}

RidgeUsbConnector *
ridge_usb_connector_new (RidgeUsbContext *ctx,
                         guint16          vid,
                         guint16          pid)
{
  RidgeUsbConnector *self;

  g_return_val_if_fail (RIDGE_IS_USB_CONTEXT (ctx), NULL);
  self = g_object_new (RIDGE_TYPE_USB_CONNECTOR, NULL);
  self->ctx = g_object_ref (ctx);
  self->vid = (vid == 0 && pid == 0) ? RIDGE_USB_VID : vid;
  self->pid = (vid == 0 && pid == 0) ? RIDGE_USB_PID : pid;
  return self;
}

static gboolean
parse_hex16 (const char *s,
             guint16    *out)
{
  guint64 v;
  char *end;

  if (*s == '\0' || strlen (s) > 4)
    return FALSE;
  v = g_ascii_strtoull (s, &end, 16);
  if (*end != '\0')
    return FALSE;
  *out = (guint16)v;
  return TRUE;
}

RidgeUsbConnector *
ridge_usb_connector_new_for_address (RidgeUsbContext *ctx,
                                     const char      *address,
                                     GError         **error)
{
  g_autoptr (RidgeUsbConnector) self = NULL;
  g_auto (GStrv) parts = NULL;
  const char *rest;

  g_return_val_if_fail (RIDGE_IS_USB_CONTEXT (ctx), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  rest = g_str_has_prefix (address, "usb:") ? address + 4 : address;
  self = ridge_usb_connector_new (ctx, 0, 0);
  if (*rest == '\0')
    return g_steal_pointer (&self);
  parts = g_strsplit (rest, ":", 3);
  if (g_strv_length (parts) == 1 && g_regex_match_simple ("^[0-9]+-[0-9]+(\\.[0-9]+)*$", rest, 0,
                                                          0))
    {
      self->port_path = g_strdup (rest);
      return g_steal_pointer (&self);
    }
  if (g_strv_length (parts) == 2 && strlen (parts[0]) == 3 && strlen (parts[1]) == 3)
    {
      guint64 bus, addr;
      if (g_ascii_string_to_unsigned (parts[0], 10, 1, 255, &bus, NULL) &&
          g_ascii_string_to_unsigned (parts[1], 10, 1, 127, &addr, NULL))
        {
          self->bus = (int)bus;
          self->address = (int)addr;
          return g_steal_pointer (&self);
        }
    }
  if (g_strv_length (parts) == 2 && parse_hex16 (parts[0], &self->vid) &&
      parse_hex16 (parts[1], &self->pid))
    return g_steal_pointer (&self);

  g_set_error (error, RIDGE_ERROR, RIDGE_ERROR_INVALID_ARGUMENT,
               "“%s” is not a USB address (usb:1-2.3, usb:BUS:ADDR as 001:004, usb:VID:PID)",
               address);
  return NULL;
}

void
ridge_usb_connector_set_port_path (RidgeUsbConnector *self,
                                   const char        *port_path)
{
  g_return_if_fail (RIDGE_IS_USB_CONNECTOR (self));
  g_free (self->port_path);
  self->port_path = g_strdup (port_path);
}

void
ridge_usb_connector_get_counters (RidgeUsbConnector *self,
                                  RidgeUsbCounters  *out)
{
  g_return_if_fail (RIDGE_IS_USB_CONNECTOR (self));
  g_return_if_fail (out != NULL);
  g_mutex_lock (&self->lock);
  *out = self->counters;
  g_mutex_unlock (&self->lock);
}

const RidgeUsbDeviceInfo *
ridge_usb_connector_get_device (RidgeUsbConnector *self)
{
  g_return_val_if_fail (RIDGE_IS_USB_CONNECTOR (self), NULL);
  return self->device;
}

/* ---- health --------------------------------------------------------------------------- */

/* Runs on the health's main context: hands the counters that moved since the last flush to
 * the RidgeHealth, stamped with the time they are seen (within a main-loop turn of the
 * transfer that counted them). Bytes are not given here: the session counts the protocol
 * bytes of every link the same way. */
static gboolean
flush_health_cb (gpointer data)
{
  RidgeUsbConnector *self = data;
  g_autoptr (RidgeHealth) health = g_weak_ref_get (&self->health);
  RidgeUsbCounters now, before;
  gint64 t = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  now = self->counters;
  before = self->reported;
  self->reported = now;
  self->health_pending = FALSE;
  g_mutex_unlock (&self->lock);

  if (health == NULL)
    return G_SOURCE_REMOVE;
  ridge_health_add (health, t, RIDGE_HEALTH_USB_ERRORS, (guint)(now.errors - before.errors));
  ridge_health_add (health, t, RIDGE_HEALTH_USB_TIMEOUTS,
                    (guint)(now.timeouts - before.timeouts));
  ridge_health_add (health, t, RIDGE_HEALTH_USB_STALLS, (guint)(now.stalls - before.stalls));
  ridge_health_add (health, t, RIDGE_HEALTH_USB_RESETS, (guint)(now.resets - before.resets));
  return G_SOURCE_REMOVE;
}

/* Called with self->lock held, from any thread (libusb's event thread, the open task). */
static void
schedule_health_locked (RidgeUsbConnector *self)
{
  GSource *idle;

  if (self->health_context == NULL || self->health_pending)
    return;
  self->health_pending = TRUE;
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, flush_health_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (idle, "[ridge] USB counters → health");
  g_source_attach (idle, self->health_context);
  g_source_unref (idle);
}

void
ridge_usb_connector_set_health (RidgeUsbConnector *self,
                                RidgeHealth       *health)
{
  g_return_if_fail (RIDGE_IS_USB_CONNECTOR (self));
  g_return_if_fail (health == NULL || RIDGE_IS_HEALTH (health));

  g_mutex_lock (&self->lock);
  g_weak_ref_set (&self->health, health);
  g_clear_pointer (&self->health_context, g_main_context_unref);
  if (health != NULL)
    self->health_context = g_main_context_ref_thread_default ();
  /* only what happens from now on */
  self->reported = self->counters;
  g_mutex_unlock (&self->lock);
}

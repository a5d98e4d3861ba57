/* ridge-fmr.h — ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 finger minutiae records
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Encode, decode and convert the two standard finger minutiae record formats ("FMR\0",
 * version " 20\0"), and move minutiae between them and RidgeTemplate.
 *
 * Pure C11 like the rest of the engine: no allocation, no I/O, no global state. Decoding
 * fills a caller-provided RidgeFmrRecord; variable-length extended data is not copied:
 * RidgeFmrExtArea.data points into the decoded buffer, which must therefore outlive the
 * record (zero-copy, as in nanopb's bytes callbacks). Encoding writes into a caller buffer.
 *
 * Layout differences handled here (both big-endian):
 *  - header: ISO has a 4-byte record length and no CBEFF product id (24 bytes); ANSI has a
 *    2-byte record length, or 0x0000 followed by a 4-byte length for records of 65536 bytes
 *    or more, and a 4-byte CBEFF product id (26 or 30 bytes);
 *  - minutia angle: ISO in units of 360/256 degrees (0..255), ANSI in units of 2 degrees
 *    (0..179); both counter-clockwise from the +x axis, as RidgeMinutia.
 *
 * Newer versions (ISO/IEC 19794-2:2011 and ANSI INCITS 378-2009 "030\0", 378-2009/AM1
 * "035\0") are recognised by ridge_fmr_detect() and rejected by the decoder with
 * RIDGE_FMR_E_UNSUPPORTED_VERSION: their per-view layout differs throughout.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ridge-engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stable error codes: never renumbered. */
typedef enum {
  RIDGE_FMR_OK                     = 0,
  RIDGE_FMR_E_INVALID              = -1,  /* NULL or inconsistent arguments */
  RIDGE_FMR_E_TRUNCATED            = -2,  /* the data ends inside the record */
  RIDGE_FMR_E_MAGIC                = -3,  /* does not start with "FMR\0" */
  RIDGE_FMR_E_VERSION              = -4,  /* version bytes are not a known version */
  RIDGE_FMR_E_UNSUPPORTED_VERSION  = -5,  /* a known newer version (2009/2011) */
  RIDGE_FMR_E_LENGTH               = -6,  /* record length field disagrees with the data */
  RIDGE_FMR_E_ANGLE                = -7,  /* minutia, core or delta angle out of range */
  RIDGE_FMR_E_FIELD                = -8,  /* another field out of range (type, position…) */
  RIDGE_FMR_E_EXTENDED             = -9,  /* malformed extended data block */
  RIDGE_FMR_E_LIMIT                = -10, /* more views/areas than RIDGE_FMR_MAX_* */
  RIDGE_FMR_E_NOSPACE              = -11, /* output buffer too small */
  RIDGE_FMR_E_NO_VIEW              = -12, /* no view of the requested finger */
} RidgeFmrResult;

/* A sentence for any RidgeFmrResult ("unknown error" for anything else). */
const char *ridge_fmr_strerror (int result);

typedef enum {
  RIDGE_FMR_FORMAT_AUTO = 0,     /* decode only: tell ISO from ANSI by the header */
  RIDGE_FMR_FORMAT_ISO  = 1,     /* ISO/IEC 19794-2:2005 */
  RIDGE_FMR_FORMAT_ANSI = 2,     /* ANSI INCITS 378-2004 */
} RidgeFmrFormat;

typedef enum {
  RIDGE_FMR_VERSION_UNKNOWN = 0,   /* not an FMR record, or unknown version bytes */
  RIDGE_FMR_VERSION_ISO_2005,      /* " 20\0" with a 4-byte length */
  RIDGE_FMR_VERSION_ANSI_2004,     /* " 20\0" with a 2- or 6-byte length */
  RIDGE_FMR_VERSION_ISO_2011,      /* "030\0", ISO/IEC 19794-2:2011 */
  RIDGE_FMR_VERSION_ANSI_2009,     /* "030\0", ANSI INCITS 378-2009 */
  RIDGE_FMR_VERSION_ANSI_2009_AM1, /* "035\0", ANSI INCITS 378-2009/AM1 */
} RidgeFmrVersion;

/* Which format and version the bytes look like (only the header is examined, so a
 * VERSION_ISO_2005/ANSI_2004 answer does not mean the record decodes). */
RidgeFmrVersion ridge_fmr_detect (const uint8_t *buf, size_t len);
const char     *ridge_fmr_version_name (RidgeFmrVersion version);

/* Limits of this implementation (the formats allow more views; real records hold one
 * or two per finger). */
#define RIDGE_FMR_MAX_VIEWS        16
#define RIDGE_FMR_MAX_MINUTIAE     255  /* the format's own limit (1-byte count) */
#define RIDGE_FMR_MAX_EXT_AREAS    8    /* extended data areas per view */
#define RIDGE_FMR_MAX_CORES        15   /* the format's own limit (4-bit count) */
#define RIDGE_FMR_MAX_DELTAS       15

/* Extended data area type ids */
#define RIDGE_FMR_EXT_RIDGE_COUNT  0x0001
#define RIDGE_FMR_EXT_CORE_DELTA   0x0002

/* Decoding tolerances found in the wild; set in RidgeFmrRecord.quirks. With
 * RIDGE_FMR_DECODE_LENIENT they are accepted, otherwise the decoder fails. The encoder
 * writes a correct length and no trailing bytes, keeps exclusive area lengths, and refuses
 * records with range or opaque-area quirks (it never writes what it would not read). */
typedef enum {
  RIDGE_FMR_QUIRK_LENGTH_FIELD     = 1u << 0,     /* length field ≠ size of the structure
                                                   * (e.g. the ISO 19794-2 Annex C.2 sample) */
  RIDGE_FMR_QUIRK_TRAILING_BYTES   = 1u << 1,     /* bytes after the record (e.g. zero padding) */
  RIDGE_FMR_QUIRK_EXT_LENGTH_EXCLUSIVE = 1u << 2, /* extended area lengths exclude the 4-byte
                                                   * area header (FingerprintIO's ISO 2005
                                                   * reading); re-encoded the same way */
  RIDGE_FMR_QUIRK_ANGLE_RANGE      = 1u << 3,     /* ANSI minutia, core or delta angle
                                                   * > 179 kept as is */
  RIDGE_FMR_QUIRK_FIELD_RANGE      = 1u << 4,     /* type 3, quality > 100, finger position
                                                   * > 10, point outside the image… kept */
  RIDGE_FMR_QUIRK_EXT_OPAQUE       = 1u << 5,     /* a ridge-count or core/delta area that does
                                                   * not parse (or names minutiae the view
                                                   * lacks) was kept as opaque bytes */
} RidgeFmrQuirk;

typedef enum {
  RIDGE_FMR_DECODE_STRICT  = 0,
  RIDGE_FMR_DECODE_LENIENT = 1u << 0,
} RidgeFmrDecodeFlags;

typedef struct {
  uint8_t  type;                 /* RidgeMinutiaType: 0 other, 1 ending, 2 bifurcation */
  uint8_t  y_reserved;           /* the 2 reserved bits above y (0 in valid records) */
  uint16_t x;                    /* pixels, 14 bits */
  uint16_t y;                    /* pixels, 14 bits */
  uint8_t  angle;                /* raw units of the record's format */
  uint8_t  quality;              /* 0..100, 0 = not reported */
} RidgeFmrMinutia;

/* One extended data area. The encoder always writes type + data/length; decoded views of
 * the understood types (below) are filled by the decoder. Build the data of those types
 * with ridge_fmr_ridge_counts_encode() / ridge_fmr_core_delta_encode(). */
typedef struct {
  uint16_t       type;           /* RIDGE_FMR_EXT_*, 0x0100..0xFFFF vendor defined */
  uint16_t       length;         /* data bytes, without the 4-byte area header */
  const uint8_t *data;
} RidgeFmrExtArea;

typedef struct {
  uint16_t x, y;                 /* 14 bits each */
  uint8_t  angle;                /* raw units; valid if the block has angles */
} RidgeFmrCore;

typedef struct {
  uint16_t x, y;
  uint8_t  angle[3];
} RidgeFmrDelta;

/* Core and delta block (type 0x0002): one byte "info type (2 bits: 01 = with angles),
 * reserved (2), count (4)" for the cores, the cores (x, y, [angle]), the same byte for
 * the deltas, the deltas (x, y, [3 angles]). */
typedef struct {
  uint8_t       core_angles;     /* cores carry an angle */
  uint8_t       delta_angles;    /* deltas carry three angles */
  uint8_t       n_cores;
  uint8_t       n_deltas;
  RidgeFmrCore  cores[RIDGE_FMR_MAX_CORES];
  RidgeFmrDelta deltas[RIDGE_FMR_MAX_DELTAS];
} RidgeFmrCoreDelta;

/* Ridge count block (type 0x0001): extraction method (0 non-specific, 1 four-neighbour,
 * 2 eight-neighbour), then (index 1, index 2, count) triples; indices are 1-based
 * minutia numbers. */
typedef struct {
  uint8_t index1;
  uint8_t index2;
  uint8_t count;
} RidgeFmrRidgeCount;

typedef struct {
  uint8_t         finger_position; /* 0 unknown, 1..10 (1 right thumb … 10 left little) */
  uint8_t         view_number;     /* 0..15 */
  uint8_t         impression_type; /* 0 live plain, 1 live rolled, 2/3 non-live, 8 swipe */
  uint8_t         finger_quality;  /* 0..100 */
  uint16_t        n_minutiae;
  RidgeFmrMinutia minutiae[RIDGE_FMR_MAX_MINUTIAE];
  /* extended data, in record order */
  uint16_t        n_ext;
  RidgeFmrExtArea ext[RIDGE_FMR_MAX_EXT_AREAS];
  /* decoded views of the first ridge-count and core/delta areas (decoder output only) */
  int16_t           ridge_count_area; /* index into ext[], or -1 */
  uint8_t           ridge_count_method;
  uint16_t          n_ridge_counts;  /* triples: ridge_fmr_ridge_count_at() */
  int16_t           core_delta_area; /* index into ext[], or -1 */
  RidgeFmrCoreDelta core_delta;
} RidgeFmrView;

typedef struct {
  RidgeFmrFormat format;             /* ISO or ANSI (never AUTO in a decoded record) */
  uint32_t       record_length;      /* decoder: the length field as read; encoder: ignored */
  uint8_t        ansi_long_length;   /* ANSI: length written as 0x0000 + 4 bytes */
  uint16_t       cbeff_owner;        /* ANSI only: CBEFF product id, owner … */
  uint16_t       cbeff_type;         /* … and type */
  uint8_t        capture_compliance; /* 4 bits: equipment compliance (bit 3 = Appendix F) */
  uint16_t       capture_device_id;  /* 12 bits */
  uint16_t       width;              /* image size in pixels */
  uint16_t       height;
  uint16_t       res_x;          /* pixels per centimetre */
  uint16_t       res_y;
  uint8_t        reserved;             /* the reserved header byte (0) */
  uint8_t        ext_length_exclusive; /* write area lengths without the 4-byte header
                                        * (RIDGE_FMR_QUIRK_EXT_LENGTH_EXCLUSIVE); normally 0 */
  uint16_t     n_views;
  RidgeFmrView views[RIDGE_FMR_MAX_VIEWS];
  /* decoder output */
  unsigned quirks;               /* RidgeFmrQuirk bits seen (accepted only if lenient) */
  size_t   error_offset;         /* where decoding stopped, on error */
} RidgeFmrRecord;

/* Decodes buf[0..len). format AUTO tells ISO from ANSI by the length field; if that layout
 * fails, the other one is accepted only if it decodes strictly. Pointers in *rec refer
 * into buf. flags: RidgeFmrDecodeFlags. */
int ridge_fmr_decode (const uint8_t *buf, size_t len, RidgeFmrFormat format, unsigned flags,
                      RidgeFmrRecord *rec);

/* Bytes ridge_fmr_encode() would write, or a negative RidgeFmrResult. */
long ridge_fmr_encoded_size (const RidgeFmrRecord *rec);

/* Encodes rec (rec->format ISO or ANSI; record_length and quirks are ignored, the length
 * field is computed). An ANSI record of 65536 bytes or more, or with ansi_long_length,
 * uses the 6-byte length. Validates every field first (a record that the strict decoder
 * would reject is not written): RIDGE_FMR_E_ANGLE, _E_FIELD… */
int ridge_fmr_encode (const RidgeFmrRecord *rec, uint8_t *buf, size_t cap, size_t *len);

/* The i-th (0-based) triple of a decoded view's ridge-count block. */
int ridge_fmr_ridge_count_at (const RidgeFmrView *view, int i, RidgeFmrRidgeCount *out);

/* Builds the data of a ridge-count area (1 + 3 n bytes). */
int ridge_fmr_ridge_counts_encode (uint8_t method, const RidgeFmrRidgeCount *counts, int n,
                                   uint8_t *buf, size_t cap, size_t *len);

/* Builds / parses the data of a core and delta area. */
int ridge_fmr_core_delta_encode (const RidgeFmrCoreDelta *cd, uint8_t *buf, size_t cap,
                                 size_t *len);
int ridge_fmr_core_delta_decode (const uint8_t *data, size_t len, RidgeFmrCoreDelta *out);

/* ---- Conversions --------------------------------------------------------------------- */

/* Raw angle units: ISO 1.40625°, ANSI 2°; rounded to nearest (|error| ≤ half a unit). */
uint8_t ridge_fmr_angle_iso_to_ansi (uint8_t iso);
uint8_t ridge_fmr_angle_ansi_to_iso (uint8_t ansi);

typedef enum {
  RIDGE_FMR_CONVERT_DEFAULT          = 0,        /* drop extended data (as NIST fmr2fmr) */
  RIDGE_FMR_CONVERT_KEEP_RIDGE_COUNTS = 1u << 0, /* keep ridge-count areas (no angles in
                                                  * them); core/delta and vendor areas are
                                                  * always dropped */
} RidgeFmrConvertFlags;

/* Converts a record to the other format (or copies it if to == in->format): angles are
 * re-quantised to the nearest unit; going to ISO drops the CBEFF product id, going to
 * ANSI sets it to 0/0 (fill out->cbeff_* afterwards if known). in and out must not
 * overlap; pointers in *out still refer to the buffer *in was decoded from. */
int ridge_fmr_convert (const RidgeFmrRecord *in, RidgeFmrFormat to, unsigned flags,
                       RidgeFmrRecord *out);

/* One view as a RidgeTemplate (angles to radians, ppcm to dpi, quality = finger quality). */
int ridge_fmr_view_to_template (const RidgeFmrRecord *rec, int view, RidgeTemplate *out);

typedef struct {
  uint8_t  finger_position;
  uint8_t  view_number;
  uint8_t  impression_type;
  uint16_t capture_device_id;
  uint16_t cbeff_owner;          /* ANSI only */
  uint16_t cbeff_type;
} RidgeFmrViewInfo;

/* A one-view record from a template (info may be NULL: unknown finger, live plain). Its
 * minutiae are rounded to whole pixels and clamped into the image, angles quantised. */
int ridge_fmr_from_template (const RidgeTemplate *t, RidgeFmrFormat format,
                             const RidgeFmrViewInfo *info, RidgeFmrRecord *out);

/* Writes a one-view record straight from a template (no RidgeFmrRecord needed), as
 * ridge_fmr_from_template() + ridge_fmr_encode() would. */
int ridge_fmr_encode_template (const RidgeTemplate *t, RidgeFmrFormat format,
                               const RidgeFmrViewInfo *info, uint8_t *buf, size_t cap,
                               size_t *len);

/* Writes an enrollment as one record: one view per sample, all of info->finger_position,
 * view numbers info->view_number, +1, … (≤ 15). The header holds the largest image size
 * of the samples and the first sample's resolution. */
int ridge_fmr_encode_enroll (const RidgeEnrollTemplate *e, RidgeFmrFormat format,
                             const RidgeFmrViewInfo *info, uint8_t *buf, size_t cap,
                             size_t *len);

/* The views of one finger (finger_position 0..10, or -1: the finger of the first view) as
 * an enrollment of up to RIDGE_ENROLL_MAX_SAMPLES samples, in record order.
 * RIDGE_FMR_E_NO_VIEW if the record holds no view of that finger. */
int ridge_fmr_to_enroll (const RidgeFmrRecord *rec, int finger_position,
                         RidgeEnrollTemplate *out);

#ifdef __cplusplus
}
#endif

/** Numbers, times and sizes as a person reads them. */
const int = new Intl.NumberFormat('en');

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : int.format(n);
}

export function percent(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  return `${p < 0.01 && p > 0 ? p.toPrecision(2) : p.toFixed(2)}%`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** 90 → "1 min 30 s", 200000000 → "2,314 days". */
export function duration(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 1) return '< 1 s';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 >= 1 ? ` ${Math.round(s % 60)} s` : ''}`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  return `${int.format(Math.floor(s / 86400))} days`;
}

/** PT1H → "1 hour", P2D → "2 days"; anything else as written. */
export function isoDuration(iso: string): string {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return iso;
  const parts: string[] = [];
  const unit = (v: string | undefined, name: string) => {
    if (v && Number(v) > 0) parts.push(`${Number(v)} ${name}${Number(v) === 1 ? '' : 's'}`);
  };
  unit(m[1], 'day');
  unit(m[2], 'hour');
  unit(m[3], 'minute');
  unit(m[4], 'second');
  return parts.length ? parts.join(' ') : iso;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A JSON value in one line, cut at `max` characters. */
export function value(v: unknown, max = 80): string {
  const s = v === undefined ? '—' : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * The lineage graph drawn in SVG: laid out by dagre, panned by dragging (or the arrow
 * keys), zoomed with the wheel (or + and -), each node a link to its page. A run's
 * status is its colour, its icon and its word; every node says its kind in words.
 */
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { LineageGraph as Graph } from '../api/lineage';
import { navigate } from '../router';
import { statusIcon, statusWord } from '../components/Status';
import { layoutLineage, NODE_HEIGHT, NODE_WIDTH, type Point } from './layout';
import { clip, hrefOf, KIND_ICON, KIND_WORD, RELATION_WORD, runStatus, subtitle, title } from './nodes';

/** The drawing area's height: the graph's own at 100%, within these bounds. */
const MAX_HEIGHT = 560;
const MIN_HEIGHT = 220;
const MIN_ZOOM = 0.15;
const MAX_ZOOM = 3;

interface View {
  x: number;
  y: number;
  k: number;
}

const clamp = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

function path(points: Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

export function LineageGraph({ graph, label }: { graph: Graph; label: string }) {
  const layout = useMemo(() => layoutLineage(graph), [graph]);
  const viewHeight = Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, layout.height));
  const svg = useRef<SVGSVGElement>(null);
  const [view, setView] = useState<View>({ x: 0, y: 0, k: 1 });
  const drag = useRef<{ id: number; x: number; y: number; moved: boolean } | null>(null);

  const fit = () => {
    const width = svg.current?.clientWidth ?? 1000;
    const k = clamp(Math.min(1, width / Math.max(layout.width, 1), viewHeight / Math.max(layout.height, 1)));
    setView({ k, x: (width - layout.width * k) / 2, y: (viewHeight - layout.height * k) / 2 });
  };
  useEffect(fit, [layout]);

  /** Zooms by `factor` keeping the point (px, py) of the drawing area where it is. */
  const zoomAt = (factor: number, px: number, py: number) =>
    setView((v) => {
      const k = clamp(v.k * factor);
      return { k, x: px - ((px - v.x) * k) / v.k, y: py - ((py - v.y) * k) / v.k };
    });
  const zoomCentre = (factor: number) =>
    zoomAt(factor, (svg.current?.clientWidth ?? 1000) / 2, viewHeight / 2);

  // The wheel zooms the graph, not the page: a passive React listener cannot prevent that.
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - box.left, e.clientY - box.top);
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  const down = (e: PointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  };
  const move = (e: PointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return; // a click, not a drag
    if (!d.moved) svg.current?.setPointerCapture(e.pointerId);
    d.moved = true;
    d.x = e.clientX;
    d.y = e.clientY;
    setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
  };
  const up = (e: PointerEvent<SVGSVGElement>) => {
    if (drag.current?.id !== e.pointerId) return;
    const moved = drag.current.moved;
    if (moved) svg.current?.releasePointerCapture(e.pointerId);
    // A drag that ends on a node must not open it: the click after it is swallowed.
    if (moved) setTimeout(() => (drag.current = null));
    else drag.current = null;
  };
  const keys = (e: KeyboardEvent<SVGSVGElement>) => {
    const step = 60;
    const pan: Record<string, [number, number]> = {
      ArrowLeft: [step, 0],
      ArrowRight: [-step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    const by = pan[e.key];
    if (by) {
      e.preventDefault();
      setView((v) => ({ ...v, x: v.x + by[0], y: v.y + by[1] }));
    } else if (e.key === '+' || e.key === '=') zoomCentre(1.25);
    else if (e.key === '-') zoomCentre(0.8);
    else if (e.key === '0') fit();
  };

  return (
    <div className="lineage">
      <div className="lineage-tools" role="toolbar" aria-label="Graph view">
        <button type="button" onClick={() => zoomCentre(1.25)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoomCentre(0.8)}>
          Zoom out
        </button>
        <button type="button" onClick={fit}>
          Fit
        </button>
        <span className="muted small" data-zoom={view.k.toFixed(2)}>
          {Math.round(view.k * 100)}% · drag or arrow keys to pan, wheel or + / − to zoom, Tab to each node
        </span>
      </div>
      <svg
        ref={svg}
        className="lineage-canvas"
        height={viewHeight}
        role="group"
        aria-label={label}
        tabIndex={0}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={up}
        onKeyDown={keys}
      >
        <defs>
          <marker
            id="lineage-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="lineage-arrowhead" />
          </marker>
        </defs>
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          {layout.edges.map(({ edge, points }, i) => (
            <path
              key={i}
              className={`ledge ledge-${edge.relation}`}
              d={path(points)}
              markerEnd="url(#lineage-arrow)"
              data-from={edge.from}
              data-to={edge.to}
              data-relation={edge.relation}
            >
              <title>{`${edge.from} ${RELATION_WORD[edge.relation] ?? edge.relation} ${edge.to}`}</title>
            </path>
          ))}
          {layout.nodes.map(({ node, x, y }) => {
            const status = runStatus(node);
            const href = hrefOf(node, graph);
            const kind = KIND_WORD[node.kind] ?? node.kind;
            const left = x - NODE_WIDTH / 2;
            const top = y - NODE_HEIGHT / 2;
            const third = status ? `${statusIcon(status)} ${statusWord(status)}` : kind.toLowerCase();
            const name = `${kind} ${title(node)}${status ? `, ${statusWord(status)}` : ''}`;
            const body = (
              <>
                <title>{`${name}\n${subtitle(node)}`}</title>
                <rect x={left} y={top} width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
                <text x={left + 10} y={top + 18} className="lnode-title">
                  <tspan aria-hidden="true">{KIND_ICON[node.kind] ?? '•'} </tspan>
                  {clip(title(node), 28)}
                </text>
                <text x={left + 10} y={top + 34} className="lnode-sub">
                  {clip(subtitle(node), 36)}
                </text>
                <text x={left + 10} y={top + 50} className="lnode-status">
                  {third}
                </text>
              </>
            );
            const common = {
              className: `lnode lnode-${node.kind}${status ? ` status-${status.toLowerCase()}` : ''}`,
              'data-node-id': node.id,
              'data-kind': node.kind,
              'data-status': status ?? undefined,
            };
            return href ? (
              <a
                key={node.id}
                href={href}
                aria-label={name}
                onClick={(e) => {
                  e.preventDefault();
                  if (drag.current?.moved) return;
                  if (e.metaKey || e.ctrlKey || e.shiftKey) window.open(href, '_blank');
                  else navigate(href);
                }}
                {...common}
              >
                {body}
              </a>
            ) : (
              <g key={node.id} role="img" aria-label={name} {...common}>
                {body}
              </g>
            );
          })}
        </g>
      </svg>
    </div>
  );
}

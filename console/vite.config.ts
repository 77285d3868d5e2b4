/**
 * Builds the console into console/dist, which `tidemark serve` serves at / (src/console/routes.ts).
 * Assets go under /console-assets/ so they never share a path with an API route.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'console-assets',
    emptyOutDir: true,
    // One small app: a single chunk loads in one round trip.
    chunkSizeWarningLimit: 600,
  },
});

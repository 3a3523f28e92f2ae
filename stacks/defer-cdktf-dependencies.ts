/** Imported first by main.ts, before anything loads cdktf (see cdktf-dependencies.ts). */
import { deferCdktfDependencies } from './cdktf-dependencies';

deferCdktfDependencies();

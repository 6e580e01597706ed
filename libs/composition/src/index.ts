export { Postkasse, type PlatformKey, type Resources } from './postkasse';

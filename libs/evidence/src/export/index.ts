export * from './layout';
export * from './manifest';
export { ExportArchiveWriter, readArchive, type ArchiveFile } from './archive';
export { exportReadme } from './readme';

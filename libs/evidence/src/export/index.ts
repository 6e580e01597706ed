export * from './layout';
export * from './manifest';
export { BlockStream, ExportArchiveWriter, readArchive, type ArchiveFile } from './archive';
export { exportReadme } from './readme';

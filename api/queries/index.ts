export {
  ReadingsQueries,
  type InfluxReader,
  type ReadingSeries,
  type SectionClassPoint,
  type StationLatest,
} from './readings-queries.js';
export { SECTION_CLASS_MEASUREMENT, type Aggregate } from './influxql.js';
export { DEFAULT_RANGE_LIMITS, parseRange, parseInterval, checkLimits, type RangeLimits, type TimeRange } from './time-range.js';
export { sectionCurrentClass, stationClass, type SectionCurrentClass } from './current-class.js';
export { classAttainment, type ClassAttainment } from './class-attainment.js';
export { visibleRivers, visibleSections, visibleStations, sectionVisibleTo, stationVisibleTo } from './visibility.js';

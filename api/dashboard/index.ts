export { dashboardPlugin, type DashboardOptions } from './plugin.js';

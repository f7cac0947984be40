export { CloudinitProvider } from '@cdktf/provider-cloudinit/lib/provider';
export { DataCloudinitConfig } from '@cdktf/provider-cloudinit/lib/data-cloudinit-config';
